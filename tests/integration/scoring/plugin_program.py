"""A small test-only program (not installed as an entry point) for the scoring
service's plugin inputs: dorms apply for one or two types, scored on a criteria tree
with ``by_category`` subtrees and an ``imported_fact`` leaf, vetoed by a ``fact``
rule, selected by a ``per_category`` quota at college level (a fixed one at school
level). Its hooks return fixed scoring inputs read from `FACTS` and `PARTY_MEMBERS`,
which a test may change, and count their calls in `CALLS`.

Dorms (college_me) and who speaks for them: dorm_t1 .. dorm_t6, leaders p_lt1 ..
p_lt6; the reviewer p_rv1 (冯老师, reviewer at the school).
"""
from marshmallow import Schema, fields, validate

from core.program import Program, ProgramHooks
from deploy.demo_data import COLLEGES, DEMO_PASSWORD, SCHOOL
from services.applications.directory import make_unit

NAME = "scoring_test_dorms"
E, P = "环境优美型", "党员示范型"
TYPES = [E, P]
NAMES = {E: "环境优美型寝室", P: "党员示范型寝室"}

CRITERIA = {
    "id": "dorm", "name": "文明寝室", "children": [
        {"id": "basic", "name": "基本条件", "weight": 60, "children": [
            {"id": "theory", "name": "理论学习", "weight": 50,
             "scale": {"kind": "range", "min": 0, "max": 10}, "scorer_role": "reviewer"},
            {"id": "no_violation", "name": "无违纪", "weight": 50,
             "scale": {"kind": "pass_fail"}, "scorer_role": "reviewer"},
        ]},
        {"id": "type_part", "name": "类型条件", "weight": 40, "by_category": {
            E: {"id": "env", "name": "环境优美", "scale": {"kind": "range", "min": 0, "max": 10},
                "scorer_role": "reviewer"},
            P: {"id": "party", "name": "党员示范", "children": [
                {"id": "party_member", "name": "有党员", "weight": 50, "scale": {"kind": "pass_fail"},
                 "scorer_role": "imported_fact"},
                {"id": "party_activity", "name": "示范活动", "weight": 50,
                 "scale": {"kind": "range", "min": 0, "max": 10}, "scorer_role": "reviewer"},
            ]},
        }},
    ]}

QUOTA_RULES = {
    "college": [{"kind": "per_category", "ranges": {E: [1, 2], P: [1, 2]}, "total": 3, "names": NAMES},
                {"kind": "min_score", "min": 60}],
    "school": [{"kind": "fixed", "count": 2}],
}

VETO_REASON_ZH = "寝室成员本学年受到纪律处分"
SCORING = {
    "aggregation": {"method": "mean", "reviewer_normalisation": "none", "on_missing": "error"},
    "reviewers_per_application": 1,
    "blind_review": False,
    "veto_rules": [{"id": "violation", "kind": "fact", "fact": "violation", "equals": True,
                    "reason": "a member was disciplined this year", "reason_zh": VETO_REASON_ZH}],
}

# What the program "knows" from its facts, by dorm; tests change these.
FACTS = {}
PARTY_MEMBERS = {}
CALLS = []


class DormForm(Schema):
    types = fields.List(fields.String(validate=validate.OneOf(TYPES)), required=True, validate=validate.Length(1, 2),
                        metadata={"title": "申报类型", "description": "One or two dorm types"})
    motto = fields.String(validate=validate.Length(0, 60), metadata={"title": "寝室口号", "description": "Motto"})


class DormHooks(ProgramHooks):
    def scoring_inputs(self, context):
        CALLS.append(sorted(a["id"] for a in context["applications"]))
        out = {}
        for app in context["applications"]:
            dorm, types = app["applicant_id"], app["form"]["types"]
            entry = {"category": types, "facts": dict(FACTS.get(dorm, {}))}
            if P in types:
                entry["marks"] = {"party_member": PARTY_MEMBERS.get(dorm, False)}
            out[app["id"]] = entry
        return {"applications": out, "population": None}


PROGRAM = Program(
    name=NAME, title_zh="文明寝室（测试）", title_en="Civilized dorms (test)", applicant_kind="dorm",
    form=DormForm, stages=["application", "college_review", "school_review"],
    criteria=CRITERIA, quota_rules=QUOTA_RULES, scoring=SCORING, hooks=DormHooks(),
)


class EntryPoint:
    """Stands in for the installed entry point (core.programs.installed_programs)."""

    name = NAME

    def load(self):
        return PROGRAM


DORMS = [f"t{i}" for i in range(1, 7)]


def directory():
    units = [make_unit("dorm", f"北苑{i}号楼10{i}", COLLEGES["me"], unit_id_=f"dorm_{d}")
             for i, d in enumerate(DORMS, start=1)]
    people = [{"_id": f"p_l{d}", "login": f"l{d}", "name": f"寝室长{d}", "school_id": SCHOOL["_id"],
               "college_id": COLLEGES["me"]["_id"], "dorm_id": f"dorm_{d}", "password": DEMO_PASSWORD,
               "roles": [{"role": "dorm_leader", "unit_id": f"dorm_{d}"}]} for d in DORMS]
    people.append({"_id": "p_rv1", "login": "rv1", "name": "冯老师", "school_id": SCHOOL["_id"],
                   "password": DEMO_PASSWORD, "roles": [{"role": "reviewer", "unit_id": SCHOOL["_id"]}]})
    return units, people
