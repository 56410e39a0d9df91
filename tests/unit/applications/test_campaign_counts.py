"""The dashboard's applications per college and states per day
(services/applications/domain/campaign_counts.py) from what the store reads."""
from datetime import date

from services.applications.domain import campaign_counts as cc


def test_applications_per_college_leave_drafts_out_and_keep_workflow_order():
    apps = [{"college_id": "c1", "state": "approved"}, {"college_id": "c1", "state": "submitted"},
            {"college_id": "c2", "state": "submitted"}, {"college_id": "c2", "state": "draft"}]
    out = cc.by_college(apps, {"c1": "机电学院", "c2": "经管学院"})
    assert out["states"] == ["submitted", "approved"]
    assert out["colleges"] == [
        {"id": "c1", "name": "机电学院", "total": 2, "states": {"submitted": 1, "approved": 1}},
        {"id": "c2", "name": "经管学院", "total": 1, "states": {"submitted": 1, "approved": 0}}]


def test_states_over_time_replay_the_trails_by_beijing_day():
    trails = {
        # 2026-09-01 17:30Z is 2026-09-02 01:30 in Beijing: counted on the 2nd.
        "a": [{"at": "2026-09-01T01:00:00Z", "to": "draft"}, {"at": "2026-09-01T17:30:00Z", "to": "submitted"},
              {"at": "2026-09-02T02:00:00Z", "to": "submitted"},             # an edit: no change
              {"at": "2026-09-03T02:00:00Z", "to": "college_approved"}],
        "b": [{"at": "2026-09-02T03:00:00Z", "to": "draft"}, {"at": "2026-09-02T04:00:00Z", "action": "edit"}],
    }
    out = cc.stages_over_time(trails, date(2026, 9, 10))
    assert out["days"][:4] == ["2026-09-01", "2026-09-02", "2026-09-03", "2026-09-04"]
    assert out["days"][-1] == "2026-09-10" and len(out["days"]) == 10
    assert out["states"] == ["draft", "submitted", "college_approved"]
    assert out["series"] == {"draft": [1] * 10, "submitted": [0, 1] + [0] * 8, "college_approved": [0, 0] + [1] * 8}
    # A campaign younger than a week still shows a week, zeros before its first day.
    short = cc.stages_over_time(trails, date(2026, 9, 4))
    assert short["days"][0] == "2026-08-29" and short["series"]["draft"] == [0, 0, 0, 1, 1, 1, 1]
    assert cc.stages_over_time({}, date(2026, 9, 4)) == {"days": [], "states": [], "series": {}}


def test_stages_over_time_cover_at_most_the_last_90_days():
    trails = {"a": [{"at": "2025-01-01T00:00:00Z", "to": "draft"}]}
    out = cc.stages_over_time(trails, date(2026, 1, 1))
    assert len(out["days"]) == cc.MAX_DAYS and out["days"][-1] == "2026-01-01"
    assert out["series"]["draft"] == [1] * cc.MAX_DAYS


def test_stages_over_time_take_the_entries_in_any_order_and_today_is_beijings():
    from datetime import datetime, timezone
    trail = [{"at": "2026-09-01T01:00:00Z", "to": "draft"}, {"at": "2026-09-01T17:30:00Z", "to": "submitted"},
             {"at": "2026-09-03T02:00:00Z", "to": "college_approved"}]
    in_order = cc.stages_over_time({"a": trail}, date(2026, 9, 10))
    assert cc.stages_over_time({"a": trail[::-1]}, date(2026, 9, 10)) == in_order   # one query, no sort
    assert in_order["series"]["college_approved"] == [0, 0] + [1] * 8
    assert cc.today_in_beijing(datetime(2026, 9, 1, 17, 30, tzinfo=timezone.utc)) == date(2026, 9, 2)
