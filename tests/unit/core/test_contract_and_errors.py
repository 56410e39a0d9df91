import json

import pytest

from core import errors
from core.envelope import make_event
from core.forms import validate_form
from core.programs import check_enabled, installed_programs
from plugins.pilot_branches.program import PROGRAM


def test_errors_survive_the_wire_with_their_types():
    error = errors.ValidationFailed("bad", "错", field="x", details=[{"row": 3, "ok": None, "n": 1.5}])
    rebuilt = errors.ValidationFailed.from_wire(*error.args)
    assert rebuilt.to_dict() == error.to_dict()
    assert rebuilt.details[0]["row"] == 3 and rebuilt.details[0]["ok"] is None


def test_envelope_has_every_field_and_a_stable_id_when_given():
    event = make_event("application.submitted", {"a": 1}, "applications", actor={"id": "u"}, event_id="app_1.3")
    assert set(event) == {"id", "type", "version", "occurred_at", "source", "actor", "data"}
    assert event["id"] == "app_1.3" and event["occurred_at"].endswith("Z") and event["version"] == 1
    with pytest.raises(ValueError):
        make_event("submitted", {}, "applications")


def test_programs_are_found_by_entry_point_and_checked_against_config():
    assert "pilot_branches" in installed_programs()
    assert check_enabled({"PROGRAMS": "pilot_branches"}) == ["pilot_branches"]
    with pytest.raises(errors.ProgramNotAvailable) as error:
        check_enabled({"PROGRAMS": ["pilot_branches", "typo"]})
    assert "typo" in error.value.message_en
    assert "Installed: " in error.value.message_en and "pilot_branches" in error.value.message_en.split("Installed: ")[1]


def test_declaration_is_versioned_by_content():
    first = PROGRAM.declaration()
    again = PROGRAM.declaration()
    assert first["version"] == again["version"]
    assert json.dumps(first, ensure_ascii=False)  # JSON all the way, so it can cross RPC
    changed = type(PROGRAM)(**{**PROGRAM.__dict__, "settings": {**PROGRAM.settings, "notice_days": 7}})
    assert changed.declaration()["version"] != first["version"]
    assert set(first) >= {"form_schema", "attachments", "stages", "settings", "criteria", "quota_rules", "funding"}


def test_pilot_branch_form_and_hooks():
    cleaned, problems = validate_form(PROGRAM.form, {"planned_budget_yuan": 100}, partial=True)
    assert problems == [] and cleaned == {"planned_budget_yuan": "100.00"}
    context = {"campaign": {"settings": {"tiers": [{"cap_fen": 300000}]}}}
    problems = PROGRAM.hooks.validate_application({"planned_budget_yuan": "3000.01"}, context)
    assert problems[0]["field"] == "planned_budget_yuan" and "3000.00" in problems[0]["message_zh"]
    assert PROGRAM.hooks.validate_application({"planned_budget_yuan": "3000.00"}, context) == []
    assert PROGRAM.hooks.check_eligibility({"applicant": {"kind": "class"}})[0]["code"] == "not_a_branch"
    assert PROGRAM.hooks.check_eligibility({"applicant": {"kind": "branch"}}) == []
