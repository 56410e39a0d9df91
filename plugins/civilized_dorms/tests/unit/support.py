"""An in-memory records service and the small world of the civilized-dorm unit tests.

`FakeRecords` has the method names and argument order of core.records_client.
RecordsClient and filters by the same window semantics (core.periods.resolve), so a
hook cannot tell it from the real client; it also remembers every call.

The campaign: 2023-2024, application deadline 2023-10-18 17:00 Beijing time
(09:00 UTC). Windows end with the deadline's day: "the last year" is
2022-10-19 <= date < 2023-10-19.
"""
import copy

from core import periods
from plugins.civilized_dorms.program import PROGRAM, SETTINGS

DEADLINE_UTC = "2023-10-18T09:00:00.000Z"


def campaign(**settings):
    return {"id": "cmp1", "program": "civilized_dorms", "academic_year": "2023-2024", "level": "college",
            "unit_id": "college_me", "application_closes_at": DEADLINE_UTC, "settings": {**SETTINGS, **settings}}


def person(pid, status="league_member", veteran=False, grade=2022, name=None, dorm_id="dorm_a"):
    return {"id": pid, "name": name or pid, "political_status": status, "veteran": veteran, "grade": grade,
            "dorm_id": dorm_id}


def dorm(dorm_id="dorm_a", members=None, name="北苑3号楼301"):
    """The applicant unit as the applications service passes it, with its members."""
    unit = {"_id": dorm_id, "kind": "dorm", "name": name, "college_id": "college_me",
            "path": ["school_demo", "college_me", dorm_id]}
    if members is not None:
        unit["members"] = members
    return unit


def fact(subject_id, kind, day, subject_kind="person", **value):
    return {"id": f"{subject_id}:{kind}:{day}:{sorted(value.items())}", "subject_kind": subject_kind,
            "subject_id": subject_id, "kind": kind, "value": value, "date": day,
            "academic_year": periods.academic_year_of(day), "source": "test", "source_ref": None, "note": None}


def award(subject_id, category, academic_year, code=None, program="civilized_dorms"):
    return {"id": f"award:{subject_id}:{category}:{academic_year}", "subject_kind": "dorm", "subject_id": subject_id,
            "subject_name": subject_id, "program": program, "code": code or category, "title": "文明寝室",
            "category": category, "level": "college", "academic_year": academic_year, "date": None,
            "campaign_id": None, "source": "import"}


class FakeRecords:
    def __init__(self, facts=(), awards=()):
        self._facts = list(facts)
        self._awards = list(awards)
        self.calls = []

    def facts(self, subject_ids, kinds=None, window=None):
        self.calls.append(("facts", list(subject_ids), list(kinds) if kinds else None, window))
        period = periods.resolve(window)
        ids = set(subject_ids)
        found = [f for f in self._facts if f["subject_id"] in ids and (not kinds or f["kind"] in kinds)
                 and period.contains(f["date"])]
        return copy.deepcopy(sorted(found, key=lambda f: f["date"]))

    def awards(self, subject_ids=None, program=None, categories=None, window=None, academic_years=None):
        self.calls.append(("awards", list(subject_ids or []), program, list(categories or []), window,
                           list(academic_years or [])))
        period = periods.resolve(window)
        found = [a for a in self._awards
                 if (not subject_ids or a["subject_id"] in subject_ids) and (program is None or a["program"] == program)
                 and (not categories or a["category"] in categories)
                 and (not academic_years or a["academic_year"] in academic_years)
                 and (a["date"] is None or period.contains(a["date"]))]
        return copy.deepcopy(found)


class FakeDirectory:
    """core.directory_client.DirectoryClient's `members(unit_ids)`: the people of
    these units (here: dorms), remembering every call."""

    def __init__(self, people=()):
        self.people = list(people)
        self.calls = []

    def members(self, unit_ids):
        self.calls.append(("members", list(unit_ids)))
        return copy.deepcopy([p for p in self.people if p.get("dorm_id") in set(unit_ids)])


def hooks(records=None, directory=None):
    """The program's hooks bound to `records` and `directory`, as the program service
    binds them."""
    return PROGRAM.hooks.bind(records or FakeRecords(), directory)


def good_form(**overrides):
    form = {
        "types": ["environment"],
        "culture_theme": "书香雅居",
        "convention": "按时作息，互帮互助，保持整洁，节约水电，文明用语。",
        "work_basis": "寝室连续两学期获评月度文明寝室，坚持每周四理论学习。",
        "goals": "建设环境优美、学风浓厚的示范寝室。",
        "measures": "每周大扫除，每月一次寝室文化主题活动，参加寝室美化大赛。",
        "expected_outputs": [{"id": "o1", "description": "获院级寝室美化大赛奖项"},
                             {"id": "o2", "description": "形成寝室文化墙一面"}],
        "contact_phone": "13800000000",
    }
    form.update(overrides)
    return form
