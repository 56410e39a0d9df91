"""Award titles from the hook, and the notice and award payloads against the
notifications catalog and the public AsyncAPI contract."""
from datetime import datetime, timedelta, timezone

import pytest

from core.envelope import make_event
from core.errors import ValidationFailed
from services.applications.domain import award_rules
from services.applications.domain.lifecycle_events import award_data, notice_data
from services.notifications.domain import contract
from services.notifications.domain.catalog import EVENTS

NOW = datetime(2026, 10, 1, 1, 0, tzinfo=timezone.utc)
CAMPAIGN = {"_id": "cmp_1", "program": "civilized_dorms", "academic_year": "2025-2026", "title": "文明寝室评选"}
NOTICE = {"_id": "cmp_1:v2", "version": 2, "days": 5, "opens_at": NOW, "closes_at": NOW + timedelta(days=5),
          "supersedes": "cmp_1:v1"}
ENTRY = {"application_id": "app_1", "applicant_id": "dorm_1", "applicant_name": "北苑3号楼301",
         "college_id": "college_a", "grade": None, "grade_name_zh": None, "category": "party",
         "category_name_zh": "党员示范型", "rank": 1, "total": 93.0}


def test_titles_are_checked_and_completed():
    titles = award_rules.clean_titles(
        [{"code": "party", "title": "文明寝室（党员示范型）"}, {"code": "veteran", "title": "退伍军人寝室", "level": "school",
                                                          "category": None}],
        "civilized_dorms", "college", ENTRY)
    assert titles == [
        {"code": "party", "title": "文明寝室（党员示范型）", "title_en": "文明寝室（党员示范型）", "level": "college",
         "category": "party"},
        {"code": "veteran", "title": "退伍军人寝室", "title_en": "退伍军人寝室", "level": "school", "category": None}]
    assert award_rules.award_id("app_1", "veteran") == "award:app_1:veteran"
    assert award_rules.clean_titles([], "p", "school", ENTRY) == []
    for bad in ([{"code": "a b", "title": "x"}], [{"code": "a", "title": ""}], [{"code": "a", "title": "x"},
                                                                                  {"code": "a", "title": "y"}],
                "not a list", [None]):
        with pytest.raises(ValidationFailed) as error:
            award_rules.clean_titles(bad, "civilized_dorms", "school", ENTRY)
        assert error.value.field == "award_titles" and "civilized_dorms" in error.value.message_zh


def _notice_event(event_type):
    data = notice_data(NOTICE, CAMPAIGN, [ENTRY], ["college_a"], ["p_admin"], ["p_leader"])
    return make_event(event_type, data, "applications", actor={"id": "p_admin", "name": "管理员"},
                      event_id=f"{event_type}:cmp_1", occurred_at=NOW)


def _award_event():
    award = {"_id": "award:app_1:party", "program": "civilized_dorms", "campaign_id": "cmp_1",
             "academic_year": "2025-2026", "recipient_kind": "dorm", "recipient_id": "dorm_1",
             "recipient_name": "北苑3号楼301", "title": "文明寝室（党员示范型）", "title_en": "Civilized dorm",
             "level": "school", "code": "party", "category": "party", "application_id": "app_1",
             "member_ids": ["p_1", "p_2"]}
    return make_event("award.granted", award_data(award, ["p_1", "p_2"], ["p_c"]), "applications",
                      actor={"id": "p_admin", "name": "管理员"}, event_id="award.granted:award:app_1:party",
                      occurred_at=NOW)


@pytest.mark.parametrize("envelope", [_notice_event("notice.published"), _notice_event("notice.closed"),
                                      _award_event()], ids=["published", "closed", "award"])
def test_payloads_carry_the_catalogs_fields_and_meet_the_contract(envelope):
    spec = EVENTS[envelope["type"]]
    data = envelope["data"]
    missing = (set(spec.fields) | set(spec.lists) | set(spec.recipient_fields)) - set(data)
    assert not missing, f"{envelope['type']} lacks {sorted(missing)}"
    assert contract.validate(envelope) == []


def test_award_payload_names_the_people_behind_it():
    data = _award_event()["data"]
    assert data["award_id"] == "award:app_1:party" and data["member_ids"] == ["p_1", "p_2"]
    assert {data["code"], data["category"], data["application_id"]} == {"party", "app_1"}
    assert data["recipient_user_ids"] == ["p_1", "p_2"] and data["counselor_ids"] == ["p_c"]
    notice = _notice_event("notice.published")["data"]
    assert notice["opens_at"] == "2026-10-01T01:00:00.000Z" and notice["closes_at"] == "2026-10-06T01:00:00.000Z"
    assert notice["entries"] == [ENTRY] and notice["scope_unit_ids"] == ["college_a"]
