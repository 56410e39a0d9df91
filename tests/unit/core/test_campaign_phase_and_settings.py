"""The one campaign phase (core/campaign_phase.py), the settings form's schema and
checks (core/settings_spec.py) and the public notice's explicit period
(services/applications/domain/notice_period.py)."""
from datetime import datetime, timedelta, timezone

import pytest

from core import labels, settings_spec
from core.campaign_phase import PHASES, accepts_applications, campaign_phase
from core.errors import ValidationFailed
from services.applications.domain.notice_period import explicit_period, period_text

NOW = datetime(2026, 12, 6, 2, 0, tzinfo=timezone.utc)      # 10:00 in Beijing
DAY = timedelta(days=1)


def _campaign(opens=-DAY, closes=DAY, review=None, **extra):
    return {"application_opens_at": NOW + opens, "application_closes_at": NOW + closes,
            "review_opens_at": NOW + review if review is not None else None, **extra}


@pytest.mark.parametrize("campaign, facts, phase", [
    (_campaign(opens=DAY, closes=2 * DAY), {}, "upcoming"),
    (_campaign(), {}, "applying"),
    (_campaign(closes=-DAY / 2), {}, "checking"),
    (_campaign(closes=-DAY / 2, review=-DAY / 4), {}, "reviewing"),
    (_campaign(closes=-DAY / 2), {"results_published": True}, "reviewing"),
    (_campaign(), {"results_published": True}, "reviewing"),       # results end 申报中 even inside the window
    (_campaign(closes=-DAY), {"results_published": True, "notice": True}, "notice"),
    (_campaign(closes=-DAY), {"results_published": True, "notice": True, "final_list": True}, "final"),
    (_campaign(closes=-DAY), {"notice": True, "final_list": True, "implementation": True}, "implementation"),
    (_campaign(closes=-DAY, closed_at=NOW), {"final_list": True, "implementation": True}, "closed"),
    (_campaign(state="withdrawn"), {}, "withdrawn"),
    ({}, {}, "upcoming"),                                               # an old record without a window
    ({"application_opens_at": (NOW - DAY).isoformat(), "application_closes_at": (NOW + DAY).isoformat()}, None,
     "applying"),                                                       # a view's ISO strings
])
def test_each_state_has_one_phase(campaign, facts, phase):
    assert campaign_phase(campaign, facts, NOW) == phase
    assert accepts_applications(phase) is (phase == "applying")


def test_every_phase_has_a_label_in_both_languages():
    for phase in PHASES:
        assert labels.is_known("campaign_phase", phase)
    assert [labels.label("campaign_phase", p) for p in PHASES[1:8]] == [
        "申报中", "审核中", "评审中", "公示中", "已定稿", "实施中", "已结项"]


SETTINGS = {"notice_days": 5, "years_of_study": [1, 2, 3], "minimums": {"a": 4, "b": 12}, "themes": ["x"],
            "tiers": [{"code": "key"}]}
SPEC = {"years_of_study": {"label_zh": "可申报的年级", "label_en": "Years", "choices": {"1": ["大一", "Y1"],
                                                                                      "2": ["大二", "Y2"],
                                                                                      "3": ["大三", "Y3"]}},
        "minimums": {"label_zh": "最低次数", "label_en": "Minimums", "minimum": 0, "maximum": 52,
                     "parts": {"a": ["党员大会", "Meetings"], "b": ["主题党日", "Days"]}},
        "themes": {"label_zh": "主题", "label_en": "Themes", "fixed": True}}


def test_the_form_schema_has_labels_ranges_and_choices_and_leaves_fixed_settings_out():
    schema = settings_spec.form_schema(SETTINGS, SPEC)["properties"]
    assert schema["notice_days"] == {"title": "公示天数", "description": "Public notice (days)", "type": "integer",
                                     "minimum": 1, "maximum": 30}
    assert schema["notice_min_days"]["title"] == "公示最短天数"
    assert schema["years_of_study"]["items"] == {"enum": [1, 2, 3]}
    assert schema["minimums"]["properties"]["b"] == {"type": "integer", "minimum": 0, "maximum": 52,
                                                     "title": "主题党日", "description": "Days"}
    assert "themes" not in schema and "tiers" not in schema      # fixed, and a setting without a spec
    assert [k for k, _s, _v in settings_spec.fixed_settings(SETTINGS, SPEC)] == ["themes", "tiers"]
    assert settings_spec.defaults_of({"notice_days": 2}) == {"notice_days": 2, "notice_min_days": 2}
    assert settings_spec.defaults_of({})["notice_min_days"] == 3


def test_bad_values_are_refused_naming_the_setting_by_its_label():
    def errors(overrides):
        return {e["field"]: e["message_zh"] for e in settings_spec.value_errors(overrides, SETTINGS, SPEC)}
    assert errors({"notice_days": 31}) == {"settings.notice_days": "公示天数：须在 1 到 30 之间"}
    assert errors({"notice_days": "5"}) == {"settings.notice_days": "公示天数：须为整数"}
    assert errors({"years_of_study": [4]}) == {"settings.years_of_study": "可申报的年级：含有不在可选范围内的值"}
    assert errors({"minimums": {"a": 4, "b": 99}}) == {"settings.minimums.b": "最低次数：须在 0 到 52 之间"}
    assert errors({"minimums": {"a": 4}}) == {"settings.minimums": "最低次数：须填写每一项"}
    assert errors({"themes": ["y"]}) == {"settings.themes": "主题：由项目统一规定，不能按活动修改"}
    assert errors({"nope": 1}) == {"settings.nope": "未知设置项"}
    assert errors({"notice_days": 3, "notice_min_days": 4}) == {
        "settings.notice_days": "公示天数：不能少于公示最短天数（4 天）"}
    assert errors({"notice_days": 7, "years_of_study": [1], "minimums": {"a": 0, "b": 52}, "themes": ["x"]}) == {}


def test_the_notice_period_is_explicit_with_a_minimum_length():
    opens, closes, days = explicit_period("2026-12-06T10:00", "2026-12-10T17:00", 5, 3, NOW)
    assert (opens, closes, days) == (NOW, datetime(2026, 12, 10, 9, 0, tzinfo=timezone.utc), 5)
    assert period_text(opens, closes) == ("12月6日至12月10日", "6 Dec – 10 Dec")
    # An end at midnight belongs to the day before; a period across the new year names the years.
    assert period_text(NOW, datetime(2026, 12, 10, 16, 0, tzinfo=timezone.utc))[0] == "12月6日至12月10日"
    assert period_text(NOW + 22 * DAY, NOW + 27 * DAY)[0] == "2026年12月28日至2027年1月2日"
    # Defaults: from now for the campaign's days.
    assert explicit_period(None, None, 5, 3, NOW) == (NOW, NOW + 5 * DAY, 5)
    with pytest.raises(ValidationFailed) as short:
        explicit_period("2026-12-06T10:00", "2026-12-08T10:00", 5, 3, NOW)
    assert short.value.details[0]["field"] == "closes_at" and "公示最短天数（3 天）" in short.value.details[0]["message_zh"]
    with pytest.raises(ValidationFailed) as past:
        explicit_period("2026-12-05T10:00", None, 5, 3, NOW)
    assert past.value.details[0]["field"] == "opens_at"
    with pytest.raises(ValidationFailed):
        explicit_period(None, "2027-02-01T10:00", 5, 3, NOW)          # longer than 30 days
