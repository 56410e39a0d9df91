"""The one audit-entry shape (core/audit.py): built the same by every service, its
time one text type in time order, and the shapes stored before it read as it."""
from datetime import datetime, timedelta, timezone

from core import audit

ADMIN = {"id": "p_admin", "name": "校学工部管理员"}
AT = datetime(2026, 12, 6, 10, 0, 0, 123456, tzinfo=timezone.utc)


def test_an_entry_has_every_field_of_the_shape_and_its_details_apart():
    made = audit.entry("n1:1", "objection", "n1", "resolve", ADMIN, AT, campaign_id="c1", application_id="a1",
                       seq=1, reason="材料属实", decision="upheld")
    assert tuple(made) == audit.FIELDS
    assert made == {"_id": "n1:1", "subject_kind": "objection", "subject_id": "n1", "campaign_id": "c1",
                    "application_id": "a1", "seq": 1, "action": "resolve", "by": ADMIN,
                    "at": "2026-12-06T10:00:00.123Z", "reason": "材料属实", "from": None, "to": None,
                    "details": {"decision": "upheld"}}
    step = audit.entry("a1:000002", "application", "a1", "submit", ADMIN, AT, from_state="draft", to_state="submitted")
    assert (step["from"], step["to"], step["details"]) == ("draft", "submitted", None)


def test_one_time_type_whose_order_is_time_order():
    shanghai = timezone(timedelta(hours=8))
    times = [AT, AT.astimezone(shanghai) + timedelta(milliseconds=1), datetime(2026, 12, 6, 10, 0, 1),
             AT + timedelta(days=400)]
    texts = [audit.entry("x", "k", "x", "a", None, t)["at"] for t in times]
    assert texts == ["2026-12-06T10:00:00.123Z", "2026-12-06T10:00:00.124Z", "2026-12-06T10:00:01.000Z",
                     "2028-01-10T10:00:00.123Z"]
    assert sorted(texts) == texts
    assert audit.entry("x", "k", "x", "a", None, texts[0])["at"] == texts[0]   # text stays as it is


def test_reading_an_entry_of_the_shape_changes_nothing():
    made = audit.entry("s:1", "score_sheet", "s", "submitted", ADMIN, AT, campaign_id="c1", total=88)
    assert audit.read(made) == made
    assert audit.view(made) == dict({k: v for k, v in made.items() if k != "_id"}, id="s:1")


def test_old_application_steps_read_as_the_shape():
    old = {"_id": "a1:000003", "application_id": "a1", "seq": 3, "action": "return", "from": "submitted",
           "to": "returned", "by": ADMIN, "at": AT, "reason": "缺材料", "idempotency_key": None}
    assert audit.read(old) == {
        "_id": "a1:000003", "subject_kind": "application", "subject_id": "a1", "campaign_id": None,
        "application_id": "a1", "seq": 3, "action": "return", "by": ADMIN, "at": "2026-12-06T10:00:00.123Z",
        "reason": "缺材料", "from": "submitted", "to": "returned", "details": {"idempotency_key": None}}


def test_old_lifecycle_entries_keep_their_details():
    old = {"_id": "app1:final:2", "subject_kind": "stage_report", "subject_id": "app1:final", "campaign_id": "c1",
           "application_id": "app1", "action": "assess", "by": ADMIN, "at": AT, "stage": "final", "result": "pass",
           "comment": "好"}
    shaped = audit.read(old)
    assert (shaped["subject_kind"], shaped["subject_id"], shaped["at"]) == ("stage_report", "app1:final",
                                                                           "2026-12-06T10:00:00.123Z")
    assert shaped["details"] == {"stage": "final", "result": "pass", "comment": "好"} and shaped["reason"] is None


def test_old_scoring_entries_read_their_kind():
    old = {"_id": "veto:v1:2", "campaign_id": "c1", "application_id": "a1", "subject": "veto", "subject_id": "v1",
           "action": "lifted", "by": ADMIN, "at": "2026-12-06T10:00:00.123Z", "reason": "误判",
           "details": {"rule": "r1"}}
    shaped = audit.read(old)
    assert (shaped["subject_kind"], shaped["subject_id"], shaped["details"]) == ("veto", "v1", {"rule": "r1"})
    assert "subject" not in shaped


def test_old_funding_records_read_their_actor_and_subject():
    old = {"_id": "k#0", "subject": "c9", "at": "2026-12-06T10:00:00.123Z", "actor": ADMIN,
           "action": "approve", "step": "college", "from": "submitted", "to": "submitted", "reason": None,
           "request_id": "r1", "claim_id": "c9", "grant_id": "g1", "campaign_id": "camp"}
    shaped = audit.read(old)
    assert (shaped["subject_kind"], shaped["subject_id"], shaped["by"]) == ("claim", "c9", ADMIN)
    assert shaped["campaign_id"] == "camp" and "actor" not in shaped
    assert shaped["details"] == {"step": "college", "request_id": "r1", "claim_id": "c9", "grant_id": "g1"}


def test_old_account_and_role_entries_read_as_the_shape():
    account = {"_id": "aa_1", "person_id": "p_1", "action": "password_set", "by": "p_admin",
               "at": AT.timestamp(), "reason": None}
    shaped = audit.read(account)
    assert (shaped["subject_kind"], shaped["subject_id"], shaped["by"], shaped["at"]) == (
        "person", "p_1", {"id": "p_admin", "name": None}, "2026-12-06T10:00:00.123Z")
    role = {"_id": "p_1:000002", "seq": 2, "action": "revoke", "person_id": "p_1", "person_name": "李明",
            "grant_id": "g1", "role": "dorm_leader", "unit_id": "d1", "by": ADMIN, "at": "2026-12-06T10:00:00.123Z",
            "reason": "换届"}
    shaped = audit.read(role)
    assert (shaped["subject_kind"], shaped["subject_id"], shaped["seq"], shaped["by"]) == ("person", "p_1", 2, ADMIN)
    assert shaped["details"] == {"person_id": "p_1", "person_name": "李明", "grant_id": "g1", "role": "dorm_leader",
                                 "unit_id": "d1"}
