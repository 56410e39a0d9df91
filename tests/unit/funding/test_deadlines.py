"""Deadlines: UTC inside, Asia/Shanghai in messages, enforced only where rules say."""
from datetime import datetime, timedelta, timezone

import pytest

from core.errors import DeadlinePassed, ValidationFailed
from services.funding.domain import deadlines

from .support import DEADLINES, pilot_rules

UTC = timezone.utc


def campaign_deadlines():
    return deadlines.validate_campaign_deadlines(pilot_rules(), DEADLINES)


def test_deadlines_are_normalised_to_utc():
    assert campaign_deadlines() == {
        "implementation_start": "2025-09-30T16:00:00.000Z",
        "implementation_end": "2025-12-31T15:59:59.000Z",
        "closing_deadline": "2025-12-15T09:00:00.000Z",
    }


def test_keys_the_rules_use_are_required():
    with pytest.raises(ValidationFailed) as err:
        deadlines.validate_campaign_deadlines(pilot_rules(), {"implementation_start": DEADLINES[
            "implementation_start"]})
    assert err.value.field == "deadlines.closing_deadline"
    assert "结项截止时间" in err.value.message_zh


@pytest.mark.parametrize("changes, field", [
    ({"closing_deadline": "2025-12-15T17:00:00"}, "deadlines.closing_deadline"),   # naive
    ({"closing_deadline": "mid-December"}, "deadlines.closing_deadline"),
    ({"implementation_end": "2025-09-01T00:00:00+08:00"}, "deadlines.implementation_end"),
    ({"closing_deadline": "2025-09-01T00:00:00+08:00"}, "deadlines.closing_deadline"),
    ({"midterm": "2025-11-01T00:00:00+08:00"}, "deadlines.midterm"),
])
def test_bad_campaign_deadlines(changes, field):
    with pytest.raises(ValidationFailed) as err:
        deadlines.validate_campaign_deadlines(pilot_rules(), {**DEADLINES, **changes})
    assert field in {d["field"] for d in err.value.details}


def test_window_is_inclusive_and_messages_show_shanghai_time():
    rules, dl = pilot_rules(), campaign_deadlines()
    close = datetime(2025, 12, 15, 9, 0, tzinfo=UTC)            # 17:00 in Shanghai
    deadlines.check(rules, dl, "file_claim", close)             # on the dot: still open
    with pytest.raises(DeadlinePassed) as err:
        deadlines.check(rules, dl, "file_claim", close + timedelta(seconds=1))
    assert "closed at 2025-12-15 17:00 (Asia/Shanghai)" in err.value.message_en
    assert "已于 2025-12-15 17:00（北京时间） 截止" in err.value.message_zh
    assert err.value.details == {"closed_at": "2025-12-15T09:00:00.000Z"}
    with pytest.raises(DeadlinePassed) as err:
        deadlines.check(rules, dl, "file_claim", datetime(2025, 9, 30, 15, 59, tzinfo=UTC))
    assert "opens at 2025-10-01 00:00 (Asia/Shanghai)" in err.value.message_en


def test_actions_the_rules_do_not_bound_are_never_refused():
    rules, dl = pilot_rules(), campaign_deadlines()
    deadlines.check(rules, dl, "close_project", datetime(2030, 1, 1, tzinfo=UTC))
    deadlines.check(rules, dl, "award_grant", datetime(2000, 1, 1, tzinfo=UTC))


def test_naive_now_is_a_programming_error():
    with pytest.raises(ValueError):
        deadlines.check(pilot_rules(), campaign_deadlines(), "file_claim", datetime(2025, 10, 20))


def test_display():
    assert deadlines.display("2025-12-15T09:00:00.000Z") == "2025-12-15 17:00 (Asia/Shanghai)"
