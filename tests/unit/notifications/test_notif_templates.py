from datetime import datetime, timezone

import pytest

from core.envelope import make_event
from core.errors import ValidationFailed
from services.notifications.domain import templates as t
from services.notifications.domain.catalog import EVENTS

REQUIRED_EVENTS = [
    "application.submitted", "application.returned", "application.decided", "application.college_approved",
    "review.assigned", "notice.published", "notice.closed", "award.granted", "grant.awarded",
    "claim.submitted", "claim.approved", "project.closed",
]

SAMPLE_DATA = {
    "review.assigned": {"campaign_id": "c1", "program": "civilized_dorms", "application_count": 12,
                        "due_at": "2024-10-18T09:00:00.000Z", "reviewer_ids": ["r1"]},
    "notice.published": {"notice_id": "n1", "campaign_id": "c1", "program": "civilized_dorms",
                         "opens_at": "2024-10-01T01:00:00.000Z", "closes_at": "2024-10-06T09:00:00.000Z",
                         "entries": [{"application_id": "a1", "applicant_name": "学1-203"},
                                     {"application_id": "a2", "applicant_name": "学3-512"}]},
    "award.granted": {"award_id": "aw1", "program": "civilized_dorms", "campaign_id": "c1",
                      "academic_year": "2023-2024", "recipient_kind": "dorm", "recipient_id": "d1",
                      "recipient_name": "学1-203", "title": "文明寝室", "level": "school"},
    "grant.awarded": {"grant_id": "g1", "campaign_id": "c1", "project_id": "p1", "tier": "key",
                      "amount_fen": 500000},
    "claim.submitted": {"claim_id": "cl1", "grant_id": "g1", "project_id": "p1", "campaign_id": "c1",
                        "amount_fen": 12345},
    "claim.approved": {"claim_id": "cl1", "grant_id": "g1", "project_id": "p1", "campaign_id": "c1",
                       "amount_fen": 12345},
    "project.closed": {"project_id": "p1", "grant_id": "g1", "campaign_id": "c1", "spent_fen": 462050,
                       "returned_fen": 37950},
}
APPLICATION = {"application_id": "a1", "campaign_id": "c1", "program": "pilot_branches", "applicant_id": "b1",
               "applicant_name": "第三党支部", "unit_id": "b1", "college_id": "col", "state": "approved",
               "from_state": "college_approved", "reason": "材料齐全"}
SAMPLE_DATA["notice.closed"] = SAMPLE_DATA["notice.published"]
for _name in ("application.submitted", "application.returned", "application.decided",
              "application.college_approved"):
    SAMPLE_DATA[_name] = APPLICATION


def event(event_type, **changes):
    data = {**SAMPLE_DATA[event_type], **changes}
    return make_event(event_type, data, "x", actor={"id": "u1", "name": "王老师"}, event_id="e1",
                      occurred_at=datetime(2024, 9, 20, 3, 15, tzinfo=timezone.utc))


@pytest.mark.parametrize("event_type", REQUIRED_EVENTS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_default_template_is_valid_and_renders(event_type, lang):
    assert event_type in t.DEFAULTS and event_type in EVENTS
    subject, body = t.DEFAULTS[event_type][lang]
    t.validate_template(event_type, subject, body)
    message = t.render_message(event(event_type), lang, reader_name="张三")
    assert message["subject"] and message["body"] and "$" not in message["subject"] + message["body"]
    assert message["template_source"] == "default"


def test_chinese_is_the_default_language():
    message = t.render_message(event("application.decided"), None, reader_name="张三")
    assert message["lang"] == "zh"
    assert message["subject"] == "【创先】评审结果：第三党支部 已批准"
    assert "张三您好" in message["body"] and "材料齐全" in message["body"]
    assert t.render_message(event("application.decided"), "fr")["lang"] == "zh"
    assert t.render_message(event("application.decided"), "en-US")["subject"] == \
        "[Chuangxian] Decision: 第三党支部 approved"


def test_derived_values_money_local_time_labels_and_lists():
    grant = t.render_message(event("grant.awarded"), "zh")
    assert "5000.00 元" in grant["subject"] and "等级：重点" in grant["body"]
    closed = t.build_context(event("project.closed"), "zh")
    assert (closed["spent_yuan"], closed["returned_yuan"]) == ("4620.50", "379.50")
    notice = t.render_message(event("notice.published"), "zh")
    # 01:00Z and 09:00Z are 09:00 and 17:00 in Asia/Shanghai
    assert "2024-10-01 09:00 至 2024-10-06 17:00" in notice["body"]
    assert "1. 学1-203\n2. 学3-512" in notice["body"] and "共 2 项" in notice["body"]
    award = t.render_message(event("award.granted"), "en")
    assert "dorm 学1-203" in award["body"] and "school level" in award["body"]
    assert t.yuan(5) == "0.05" and t.yuan(-150) == "-1.50"
    assert t.local_time("2024-10-18T09:00:00.000Z") == "2024-10-18 17:00"


def test_optional_field_absent_renders_empty():
    message = t.render_message(event("application.returned", reason=None), "zh")
    assert "退回原因：\n" in message["body"]


def test_unknown_placeholder_is_refused_with_zh_and_en_message():
    with pytest.raises(ValidationFailed) as caught:
        t.validate_template("grant.awarded", "经费 ${amount_yuan}", "你好 ${password} ${__class__}")
    error = caught.value
    assert error.field == "body"
    assert "${password}" in error.message_en and "allowed:" in error.message_en
    assert "${password}" in error.message_zh and "可用变量" in error.message_zh


def test_template_syntax_is_refused_clearly():
    with pytest.raises(ValidationFailed) as caught:
        t.validate_template("grant.awarded", "标题\n换行", "花费 $5 元")
    fields = [d["field"] for d in caught.value.details]
    assert fields == ["subject", "body"]
    assert "line 1, column 4" in caught.value.details[1]["message"]
    with pytest.raises(ValidationFailed):
        t.validate_template("no.such", "a", "b")
    with pytest.raises(ValidationFailed):
        t.validate_template("grant.awarded", " ", "b")
    assert t.validate_template("grant.awarded", "$$ ${amount_yuan}", "ok") == ["amount_yuan"]


def test_no_code_runs_in_a_template():
    # format-style attribute access or indexing is just text, not evaluated
    context = t.build_context(event("grant.awarded"), "zh")
    text = "{amount_yuan.__class__} {0} $amount_yuan"
    assert t.render_text(text, context) == "{amount_yuan.__class__} {0} 5000.00"
    # ``$Name`` (capitalised) is no placeholder: a stray "$" that validation refuses
    assert t.placeholders_in("$Name ${amount_yuan}") == (["amount_yuan"], [(1, 1)])


def test_missing_value_at_render_names_the_placeholder():
    broken = make_event("grant.awarded", {"grant_id": "g1"}, "funding", event_id="e2")
    with pytest.raises(t.TemplateRenderError) as caught:
        t.render_message(broken, "zh")
    assert caught.value.details == {"missing": ["amount_yuan"]}
    assert "amount_yuan" in caught.value.message_en and "amount_yuan" in caught.value.message_zh


def test_override_lookup_order():
    overrides = [
        t.make_override("grant.awarded", "zh", "事件级 ${amount_yuan}", "B1"),
        t.make_override("grant.awarded", "zh", "项目级 ${amount_yuan}", "B2", program="pilot_branches"),
        t.make_override("grant.awarded", "en", "event-level ${amount_yuan}", "B3"),
    ]
    assert t.resolve_template("grant.awarded", "zh", "pilot_branches", overrides)["source"] == "program"
    assert t.resolve_template("grant.awarded", "zh", "pilot_branches", overrides)["subject"].startswith("项目级")
    assert t.resolve_template("grant.awarded", "zh", "civilized_dorms", overrides)["subject"].startswith("事件级")
    assert t.resolve_template("grant.awarded", "zh", None, overrides)["source"] == "event"
    # en: no program-level en text, so the event-level en one, not the zh program one
    assert t.resolve_template("grant.awarded", "en", "pilot_branches", overrides)["subject"].startswith("event-level")
    assert t.resolve_template("claim.approved", "en", "pilot_branches",
                              overrides)["source"] == "default"
    grant_with_program = event("grant.awarded", program="pilot_branches")
    assert t.render_message(grant_with_program, "zh", overrides)["subject"] == "项目级 5000.00"


def test_make_override_validates_and_keys():
    doc = t.make_override("award.granted", "en", "${title}", "${recipient_name}", program="dorms",
                          actor_id="admin1", now=datetime(2024, 1, 1, tzinfo=timezone.utc))
    assert doc["key"] == "dorms|award.granted|en" and doc["updated_by"] == "admin1"
    assert t.override_key(None, "award.granted", "zh") == "*|award.granted|zh"
    with pytest.raises(ValidationFailed):
        t.make_override("award.granted", "de", "x", "y")
    with pytest.raises(ValidationFailed):
        t.make_override("review.assigned", "zh", "${applicant_name}", "盲评不能显示申报人")


def test_program_override_for_an_event_without_a_program_field():
    override = t.make_override("grant.awarded", "zh", "对标争先经费 ${amount_yuan}", "x", program="pilot_branches")
    grant = event("grant.awarded")
    assert t.render_message(grant, "zh", [override])["template_source"] == "default"
    assert t.render_message(grant, "zh", [override], program="pilot_branches")["subject"] == "对标争先经费 5000.00"
