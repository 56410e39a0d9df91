"""The message an applicant gets when a stage report is assessed names the stage and
the result by their labels (never codes) and carries the admin's comment; the reader
is the applicant, and the link opens the application."""
from services.notifications.domain import recipients
from services.notifications.domain.templates import render_message
from services.notifications.links import link_for

ENVELOPE = {"id": "stage.assessed:app_1:midterm:3", "type": "stage.assessed", "occurred_at": "2026-12-06T02:00:00Z",
            "actor": {"id": "p_admin", "name": "校学工部管理员"},
            "data": {"application_id": "app_1", "campaign_id": "cmp_1", "program": "civilized_dorms",
                     "applicant_name": "北苑5号楼101", "stage": "midterm", "result": "return",
                     "comment": "请补充文化墙的照片。", "applicant_user_ids": ["p_leader"]}}


def test_the_returned_report_message_reads_as_people_speak():
    zh = render_message(ENVELOPE, "zh", reader_name="王同学", program_name="文明寝室")
    assert zh["subject"] == "【创先】中期检查：退回修改"
    assert "北苑5号楼101 的中期检查报告审核结果：退回修改" in zh["body"] and "请补充文化墙的照片。" in zh["body"]
    en = render_message(ENVELOPE, "en", reader_name="Wang")
    assert "mid-term check" in en["subject"].lower() and "returned for resubmission" in en["body"].lower()
    for text in (zh["subject"], zh["body"], en["subject"], en["body"]):
        assert "midterm" not in text and "return\n" not in text and "app_1" not in text


def test_the_applicant_is_told_and_the_link_opens_the_application():
    assert recipients.user_ids(ENVELOPE) == ["p_leader"]
    assert link_for("https://cx.example.edu.cn", ENVELOPE) == "https://cx.example.edu.cn/go/application/app_1"
