"""What a program registers with the scoring service, validated by the domain.

From a declaration (core/program.py) the scoring service keeps ``criteria`` (the
weighted tree), ``quota_rules`` (one list, or one per campaign level:
``{"college": [...], "school": [...]}``, every level validated) and ``scoring``
(the policy a campaign's setup starts from: aggregation, reviewers per
application, blind review, conflict rules, tie-breaks, veto rules, who may veto).
A declaration that breaks any rule is refused with ValidationFailed whose details
name every offending node or rule; nothing of it is stored. Each version is stored once, so registering again is harmless.
"""
from dataclasses import dataclass

from core.declaration.criteria_tree import CriteriaTree
from core.declaration.rater_roles import rater_role_key, scorer_roles_of
from core.declaration.quota_rules import validate_quota_rules
from core.errors import NotFound, ValidationFailed, field_error, invalid
from services.scoring.domain.aggregation import AggregationPolicy
from services.scoring.domain.ranking import validate_tie_breaks
from services.scoring.domain.vetoes import validate_veto_rules

CONFLICT_FIELDS = ("class_id", "dorm_id", "branch_id", "college_id")
DIRECTORY_ROLES = ("school_admin", "college_admin", "counselor", "reviewer")

POLICY_DEFAULTS = {
    "aggregation": {"method": "mean", "reviewer_normalisation": "none", "on_missing": "error"},
    "reviewers_per_application": 2,
    "blind_review": False,
    "conflict": {"fields": ["class_id", "dorm_id", "branch_id"], "same_college": False},
    "tie_breaks": [{"field": "submitted_at", "order": "asc"}],
    "veto_rules": [],
    "veto_roles": ["school_admin"],
}


def concerns_scoring(declaration):
    return bool(declaration.get("criteria") or declaration.get("quota_rules"))


def parse_policy(policy, tree):
    """The program's scoring policy with defaults filled in; ValidationFailed naming
    each bad key (as ``scoring.<key>``)."""
    policy = policy or {}
    if not isinstance(policy, dict):
        raise invalid([field_error("scoring", "The scoring policy must be an object.", "评分策略须为对象")])
    errors = []
    unknown = sorted(set(policy) - set(POLICY_DEFAULTS))
    if unknown:
        errors.append(field_error("scoring", f"unknown keys {unknown}; known: {', '.join(POLICY_DEFAULTS)}",
                                  f"未知字段 {unknown}；可用：{'、'.join(POLICY_DEFAULTS)}"))
    out = {**POLICY_DEFAULTS, **{k: v for k, v in policy.items() if k in POLICY_DEFAULTS}}
    for key, check in (("aggregation", lambda v: AggregationPolicy.from_dict(v).to_dict()),
                       ("tie_breaks", lambda v: validate_tie_breaks(v, tree)),
                       ("veto_rules", lambda v: validate_veto_rules(v, tree) or list(v or []))):
        try:
            out[key] = check(out[key])
        except ValidationFailed as exc:  # the domain's own message, re-labelled under scoring.
            for d in exc.details or [field_error(key, exc.message_en, exc.message_zh)]:
                errors.append(dict(d, field=f"scoring.{d['field']}"))
        except (TypeError, ValueError, AttributeError):
            errors.append(field_error(f"scoring.{key}", "has the wrong shape", "格式不正确"))
    k = out["reviewers_per_application"]
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 20:
        errors.append(field_error("scoring.reviewers_per_application", "must be a whole number from 1 to 20",
                                  "须为 1 至 20 之间的整数"))
    if not isinstance(out["blind_review"], bool):
        errors.append(field_error("scoring.blind_review", "must be true or false", "须为 true 或 false"))
    conflict = out["conflict"]
    if not isinstance(conflict, dict) or set(conflict) - {"fields", "same_college"} \
            or any(f not in CONFLICT_FIELDS for f in conflict.get("fields", [])):
        errors.append(field_error("scoring.conflict", f"needs fields among {', '.join(CONFLICT_FIELDS)} "
                                  "and same_college true/false", f"须为 fields（{'、'.join(CONFLICT_FIELDS)}）"
                                  "与 same_college（是/否）"))
    if not isinstance(out["veto_roles"], list) or any(r not in DIRECTORY_ROLES for r in out["veto_roles"]):
        errors.append(field_error("scoring.veto_roles", f"must list roles among {', '.join(DIRECTORY_ROLES)}",
                                  f"须为以下角色：{'、'.join(DIRECTORY_ROLES)}"))
    if errors:
        raise invalid(errors)
    return out


def check_quota_rules(rules, tree):
    """Every level's rules valid (`quota.validate_quota_rules`), and a per_category
    rule's categories those of the criteria tree when it has category subtrees (an
    application is scored, and so selected, only in the tree's categories)."""
    parsed = validate_quota_rules(rules)
    if not tree.categories:
        return
    errors = []
    for level, p in parsed.items():
        rule = p["count"]
        if rule["kind"] != "per_category":
            continue
        missing = [c for c in tree.categories if c not in rule["ranges"]]
        extra = [c for c in rule["ranges"] if c not in tree.categories]
        if missing or extra:
            where = "quota_rules" if level is None else f"quota_rules.{level}"
            errors.append(field_error(f"{where}.ranges", f"the ranges must name the criteria's categories: missing "
                                      f"{missing}, not in the criteria {extra}", f"名额范围须对应评分指标体系的类别："
                                      f"缺少 {missing}，指标体系中没有 {extra}"))
    if errors:
        raise invalid(errors)


def definition_from_declaration(declaration):
    """The document the scoring service stores for one program version."""
    if not declaration.get("criteria"):
        raise invalid([field_error("criteria", "A program with quota rules needs a criteria tree.",
                                   "声明名额规则的项目须同时声明评分指标体系")])
    tree = CriteriaTree.from_dict(declaration["criteria"], scorer_roles_of(declaration))   # its own rater roles too
    if declaration.get("quota_rules") is not None:
        check_quota_rules(declaration["quota_rules"], tree)   # ValidationFailed naming each bad rule
    policy = parse_policy(declaration.get("scoring"), tree)
    return {"name": declaration["name"], "version": declaration["version"],
            "title_zh": declaration.get("title_zh"), "title_en": declaration.get("title_en"),
            "applicant_kind": declaration.get("applicant_kind"), "criteria": tree.to_dict(),
            "fingerprint": tree.fingerprint, "quota_rules": declaration.get("quota_rules"), "scoring": policy,
            "rater_roles": declaration.get("rater_roles") or []}


@dataclass(frozen=True)
class Definition:
    """A stored program version, ready to use."""

    name: str
    version: str
    tree: CriteriaTree
    quota_rules: list | dict    # one list, or {"college": [...], "school": [...]}
    policy: dict
    doc: dict

    @classmethod
    def from_doc(cls, doc):
        # roles=None: the tree's roles were checked when the version registered (with
        # the rater roles that version declared, or platform roles it had then)
        return cls(doc["name"], doc["version"], CriteriaTree.from_dict(doc["criteria"], None), doc["quota_rules"],
                   doc["scoring"], doc)

    def criteria_view(self):
        """The tree with each leaf's share of the total (0..100), for people."""
        def shares(category):
            return {k: 100.0 * v for k, v in self.tree.leaf_weights(category).items()}
        by_category = {c: shares(c) for c in self.tree.categories} if self.tree.categories else None
        return {"program": self.name, "program_version": self.version, "fingerprint": self.tree.fingerprint,
                "criteria": self.tree.to_dict(), "leaf_shares": None if by_category else shares(None),
                "leaf_shares_by_category": by_category,
                "quota_rules": self.quota_rules, "scoring": self.policy}


def holder_roles(store, name, scorer_role):
    """The directory roles whose holders score as `scorer_role` in a campaign of
    program `name`: the role itself and, when the program's newest version declares a
    rater role that was `formerly` this key (a campaign pinned to a version from
    before the declaration names the old key; its grants were moved to the new one),
    that role's stored key too."""
    try:
        newest = store.get_program(name)
    except NotFound:
        return (scorer_role,)
    return (scorer_role, *(rater_role_key(name, r["key"]) for r in newest.get("rater_roles") or []
                           if r.get("formerly") == scorer_role))


def load(store, name, version=None):
    return Definition.from_doc(store.get_program(name, version))
