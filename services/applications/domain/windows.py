"""Campaign windows (申报/评审时间) in Asia/Shanghai, enforced on the server.

Times are entered and shown in Asia/Shanghai and stored in UTC. An application may be
created, edited and submitted while the application window is open
(opens_at ≤ now < closes_at); late is forfeited (逾期不报视为自动放弃). A returned
application may be fixed and resubmitted until the review window closes, because the
return came from the reviewers, not the applicant.
"""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from core.errors import DeadlinePassed, ValidationFailed, field_error, invalid

SHANGHAI = ZoneInfo("Asia/Shanghai")


def parse_local(value, field):
    """An ISO 8601 string (a naive one is Asia/Shanghai) -> aware UTC datetime.
    Raises ValidationFailed naming `field`."""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise ValidationFailed(
            f"{field}: not a valid date-time (ISO 8601, e.g. 2023-10-18T17:00).",
            f"{field}：日期时间格式无效（ISO 8601，例如 2023-10-18T17:00）",
            field=field,
            details=[field_error(field, "Not a valid date-time (ISO 8601).", "日期时间格式无效（ISO 8601）")],
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(timezone.utc)


TIME_FIELDS = ("application_opens_at", "application_closes_at", "review_opens_at", "review_closes_at")
REQUIRED_TIMES = TIME_FIELDS[:2]


def campaign_times(values):
    """The four window times of a campaign from `values` (strings in ISO 8601, naive
    = Asia/Shanghai, or datetimes; a review time may be None): {name: UTC datetime or
    None}. Raises ValidationFailed naming each missing application time and each time
    not after the one before it (opens < closes < review opens < review closes)."""
    problems, times = [], {}
    for name in TIME_FIELDS:
        value = values.get(name)
        if value in (None, ""):
            times[name] = None
            if name in REQUIRED_TIMES:
                problems.append(field_error(name, "Required.", "必填"))
            continue
        try:
            times[name] = parse_local(value, name)
        except ValidationFailed as exc:
            problems.extend(exc.details)
    present = [n for n in TIME_FIELDS if times.get(n) is not None]
    for earlier, later in zip(present, present[1:]):
        if times[later] <= times[earlier]:
            problems.append(field_error(later, f"Must be after {earlier}.", f"须晚于{_LABELS_ZH[earlier]}"))
    if problems:
        raise invalid(problems)
    return times


_LABELS_ZH = {"application_opens_at": "申报开始时间", "application_closes_at": "申报截止时间",
              "review_opens_at": "评审开始时间", "review_closes_at": "评审截止时间"}


def shanghai_text(moment):
    """'2023-10-18 17:00' in Beijing time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def require_no_final_list(campaign):
    """Raises DeadlinePassed once the campaign's final list exists (`final_listed`, set
    by whoever read the campaign: workflow.campaign_of): from then on no application is
    created, reopened, edited or (re)submitted, even while the window is still open."""
    if campaign.get("final_listed"):
        raise DeadlinePassed(
            "This campaign's final list has been published; it accepts no more applications.",
            "本次评选已产生正式名单，不再受理申报", field="campaign_id")


def require_application_window(campaign, now):
    """Raises DeadlinePassed unless the application window is open at `now` (never for
    a withdrawn campaign, nor one stored without its window by an old version, nor
    once its final list exists)."""
    require_no_final_list(campaign)
    opens, closes = campaign.get("application_opens_at"), campaign.get("application_closes_at")
    if campaign.get("state") == "withdrawn" or not opens or not closes:
        raise DeadlinePassed("This campaign was withdrawn or has no application window.",
                             "该评选活动已撤销或未设置申报时间", field="campaign_id")
    opens, closes = _aware(opens), _aware(closes)
    if now < opens:
        raise DeadlinePassed(
            f"The application window opens at {shanghai_text(opens)} (Beijing time).",
            f"申报尚未开始，开始时间为 {shanghai_text(opens)}（北京时间）",
            field="application_opens_at",
        )
    if now >= closes:
        raise DeadlinePassed(
            f"The application window closed at {shanghai_text(closes)} (Beijing time); late applications are not accepted.",
            f"申报已于 {shanghai_text(closes)}（北京时间）截止，逾期不予受理",
            field="application_closes_at",
        )


def require_resubmission_window(campaign, now):
    """A returned application may be resubmitted until the review window closes (and
    not once the final list exists)."""
    require_no_final_list(campaign)
    closes = campaign.get("review_closes_at") or campaign.get("application_closes_at")
    if campaign.get("state") == "withdrawn" or not closes:
        raise DeadlinePassed("This campaign was withdrawn or has no application window.",
                             "该评选活动已撤销或未设置申报时间", field="campaign_id")
    closes = _aware(closes)
    if now >= closes:
        raise DeadlinePassed(
            f"Resubmission closed at {shanghai_text(closes)} (Beijing time).",
            f"退回修改的重新提交已于 {shanghai_text(closes)}（北京时间）截止",
            field="review_closes_at",
        )


def require_editable_window(campaign, application, now):
    """Editing, uploading and submitting follow the window of the application's state."""
    if application["state"] == "returned":
        require_resubmission_window(campaign, now)
    else:
        require_application_window(campaign, now)
