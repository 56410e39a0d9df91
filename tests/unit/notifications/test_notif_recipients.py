import pytest

from core.envelope import make_event
from core.errors import ValidationFailed
from services.notifications.domain import preferences as pf
from services.notifications.domain import recipients as rc
from services.notifications.domain import subscriptions as sb
from services.notifications.domain.catalog import EVENTS


def test_every_rule_names_a_declared_recipient_field():
    for event_type, rules in rc.RULES.items():
        assert event_type in EVENTS
        for rule in rules:
            assert rule.field in EVENTS[event_type].recipient_fields, (event_type, rule.field)
    assert set(rc.RULES) == set(EVENTS)


def test_return_goes_to_applicant_and_counselor_but_not_the_acting_counselor(returned_event):
    people = rc.resolve(returned_event)
    assert people == [{"user_id": "u-sec", "roles": ["applicant"]}, {"user_id": "u-dep", "roles": ["applicant"]}]
    other = {**returned_event, "actor": {"id": "u-college-admin", "name": "学院管理员"}}
    assert [p["user_id"] for p in rc.resolve(other)] == ["u-sec", "u-dep", "u-coun"]
    assert rc.resolve(other)[2]["roles"] == ["counselor"]


def test_submission_receipt_reaches_the_acting_applicant():
    event = make_event("application.submitted", {"applicant_user_ids": ["u-sec"], "counselor_ids": ["u-coun"]},
                       "applications", actor={"id": "u-sec", "name": "书记"})
    assert rc.user_ids(event) == ["u-sec", "u-coun"]


def test_same_person_in_two_roles_is_told_once():
    event = make_event("application.decided", {"applicant_user_ids": ["u1", "u2", "u1"], "counselor_ids": ["u2"]},
                       "applications", actor={"id": "admin"})
    assert rc.resolve(event) == [{"user_id": "u1", "roles": ["applicant"]},
                                 {"user_id": "u2", "roles": ["applicant", "counselor"]}]


@pytest.mark.parametrize("event_type,data,expected", [
    ("review.assigned", {"reviewer_ids": ["r1", "r2"]}, ["r1", "r2"]),
    ("claim.submitted", {"approver_user_ids": ["adv"], "finance_user_ids": ["fin1", "fin2"]}, ["adv", "fin1", "fin2"]),
    ("claim.approved", {"lead_user_ids": ["lead"], "finance_user_ids": ["fin1"]}, ["lead", "fin1"]),
    ("award.granted", {"recipient_user_ids": ["m1", "m2"], "counselor_ids": ["c1"]}, ["m1", "m2", "c1"]),
    ("grant.awarded", {"lead_user_ids": "lead"}, ["lead"]),
    ("project.closed", {}, []),
    ("notice.closed", {"listed_user_ids": ["x"]}, ["x"]),
    ("unknown.event", {"applicant_user_ids": ["x"]}, []),
])
def test_recipients_per_event(event_type, data, expected):
    event = make_event(event_type, data, "svc", actor={"id": "someone-else"})
    assert rc.user_ids(event) == expected


def test_public_notice_reaches_everyone_in_scope_with_unit_expansion():
    event = make_event("notice.published", {"scope_user_ids": ["s1"], "scope_unit_ids": ["col-jd", "col-x"]},
                       "applications", actor={"id": "admin"})
    assert rc.unit_fields("notice.published") == ["scope_unit_ids"]
    assert rc.user_ids(event) == ["s1"]             # no directory: units skipped
    directory = {"col-jd": ["s1", "s2"], "col-x": ["s3"]}
    expanded = rc.user_ids(event, lambda units: [u for unit in units for u in directory[unit]])
    assert expanded == ["s1", "s2", "s3"]


def test_bad_ids_are_ignored():
    event = make_event("review.assigned", {"reviewer_ids": ["r1", "", None, True, 7, {"x": 1}]}, "scoring")
    assert rc.user_ids(event) == ["r1", "7"]


# ------------------------------------------------------------------ subscriptions

def test_webhook_subscription_gets_a_secret_and_only_public_events():
    sub = sb.make_subscription("校财务系统", "webhook", "https://finance.example.edu.cn/hooks/cx",
                               ["grant.awarded", "project.closed"])
    assert sub["secret"].startswith("whsec_") and len(sub["secret"]) > 40 and sub["active"]
    with pytest.raises(ValidationFailed) as caught:
        sb.make_subscription("x", "webhook", "ftp://x", ["claim.submitted"])
    assert {d["field"] for d in caught.value.details} == {"url", "event_types"}
    robot = sb.make_subscription("学院钉钉群", "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=t",
                                 ["claim.submitted"], secret="SECabc", programs=["pilot_branches"])
    assert robot["programs"] == ["pilot_branches"]


def test_subscribers_on_awards_with_program_filter():
    award = make_event("award.granted", {"program": "civilized_dorms"}, "applications")
    everyone = sb.make_subscription("荣誉库", "webhook", "https://h.example/a", ["award.granted"], subscription_id="s1")
    dorms_only = sb.make_subscription("宿管", "wecom", "https://q.example/a", ["award.granted"],
                                      programs=["civilized_dorms"], subscription_id="s2")
    classes_only = {**dorms_only, "id": "s3", "programs": ["advanced_classes"]}
    inactive = {**everyone, "id": "s4", "active": False}
    grants = {**everyone, "id": "s5", "event_types": ["grant.awarded"]}
    hits = sb.matching([everyone, dorms_only, classes_only, inactive, grants], award)
    assert [s["id"] for s in hits] == ["s1", "s2"]
    assert sb.recipient_key(everyone) == "subscription:s1"
    grant = make_event("grant.awarded", {"grant_id": "g"}, "funding")
    pilot = {**dorms_only, "event_types": ["grant.awarded"], "programs": ["pilot_branches"]}
    assert not sb.matches(pilot, grant)
    assert sb.matches(pilot, grant, program="pilot_branches")


# ------------------------------------------------------------------ preferences

def test_default_channels():
    prefs = pf.default_preferences("u1")
    assert pf.channels_for(prefs, "application.returned") == ["inbox", "email"]
    assert pf.channels_for(prefs, "notice.published") == ["inbox"]
    assert pf.channels_for(None, "application.submitted") == ["inbox"]
    assert pf.channels_for(prefs, "application.decided", ["email", "inbox", "sms"]) == ["email", "inbox"]


def test_preferences_precedence_event_over_global_over_default():
    prefs = pf.update_preferences(pf.default_preferences("u1"), {
        "channels": {"email": False},
        "events": {"award.granted": {"email": True}, "notice.published": {"inbox": False, "email": True}},
    })
    assert pf.channels_for(prefs, "application.decided") == ["inbox"]        # global email off
    assert pf.channels_for(prefs, "award.granted") == ["inbox", "email"]     # per-event wins
    assert pf.channels_for(prefs, "notice.published") == ["email"]          # muted inbox, email on
    assert pf.channels_for(prefs, "application.returned") == ["inbox"]       # action required: inbox stays


def test_preferences_validation_and_reset():
    prefs = pf.update_preferences(pf.default_preferences("u1"), {"lang": "en", "events": {"claim.approved": {"email": False}}})
    assert prefs["lang"] == "en" and prefs["events"] == {"claim.approved": {"email": False}}
    reset = pf.update_preferences(prefs, {"events": {"claim.approved": {"email": None}}})
    assert reset["events"] == {}
    with pytest.raises(ValidationFailed) as caught:
        pf.update_preferences(prefs, {"lang": "fr", "channels": {"fax": True, "email": "yes"},
                                      "events": {"no.such": {}, "review.assigned": {"inbox": False}}})
    fields = [d["field"] for d in caught.value.details]
    assert fields == ["lang", "channels.fax", "channels.email", "events.no.such", "events.review.assigned.inbox"]
    assert "站内信不能关闭" in caught.value.details[-1]["message_zh"]
    custom = pf.update_preferences(prefs, {"channels": {"sms": True}}, known_channels=("inbox", "email", "sms"))
    assert pf.channels_for(custom, "award.granted", ("inbox", "email", "sms")) == ["inbox", "email", "sms"]
