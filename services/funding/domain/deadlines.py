"""Campaign deadlines (时间节点), enforced only where a program's rules say so.

A campaign carries the moments, as ISO 8601 UTC strings::

    {"implementation_start": "2025-09-30T16:00:00.000Z",   # 实施开始 (10月)
     "implementation_end":   "2025-12-31T15:59:59.000Z",   # 实施结束 (12月)
     "closing_deadline":     "2025-12-15T09:00:00.000Z"}   # 结项截止 (12月中旬)

and the rules say which action each bounds (``rules["deadlines"]``, e.g.
``{"file_claim": {"opens": "implementation_start", "closes": "closing_deadline"}}``).

Guarantees: times are compared as aware UTC datetimes; a naive ``now`` is a
programming error (ValueError); a window is open on ``opens <= now <= closes``;
messages show the moment in Asia/Shanghai (北京时间).
"""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from core.envelope import iso_utc
from core.errors import DeadlinePassed, ValidationFailed, field_error, invalid

from .rules import DEADLINE_KEYS

SHANGHAI = ZoneInfo("Asia/Shanghai")

ACTION_NAMES = {
    "award_grant": ("awarding a grant", "立项资助"),
    "file_claim": ("filing a reimbursement claim", "提交报销申请"),
    "submit_material": ("submitting closing materials", "提交结项材料"),
    "close_project": ("closing the project", "结项"),
}

KEY_NAMES = {
    "implementation_start": ("implementation start", "项目实施开始时间"),
    "implementation_end": ("implementation end", "项目实施结束时间"),
    "closing_deadline": ("closing deadline", "结项截止时间"),
}


def require_aware(now):
    """``now`` must be a timezone-aware datetime; returns it in UTC."""
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now.astimezone(timezone.utc)


def parse_moment(value, field):
    """An aware datetime from an ISO 8601 string with an offset (or an aware datetime)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            value = None
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise invalid([field_error(field, "must be an ISO 8601 time with a UTC offset",
                                   "必须是带时区的 ISO 8601 时间")])
    return value.astimezone(timezone.utc)


def display(moment):
    """``"2025-12-15 17:00 (Asia/Shanghai)"`` for an aware datetime or ISO string."""
    if isinstance(moment, str):
        moment = parse_moment(moment, "time")
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") + " (Asia/Shanghai)"


def _display_zh(moment):
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") + "（北京时间）"


def validate_campaign_deadlines(rules, deadlines):
    """Normalise a campaign's deadlines to ISO UTC strings.

    Every key the rules use must be given; unknown keys are refused; the
    implementation window must not end before it starts, nor may closing precede it.
    """
    deadlines = deadlines or {}
    if not isinstance(deadlines, dict):
        raise invalid([field_error("deadlines", "must be an object", "必须是对象")])
    errors, out = [], {}
    for key in sorted(deadlines):
        if key not in DEADLINE_KEYS:
            errors.append(field_error(f"deadlines.{key}", "unknown deadline key",
                                      "未知的时间节点"))
    needed = {k for bounds in rules.get("deadlines", {}).values() for k in bounds.values()}
    for key in DEADLINE_KEYS:
        if deadlines.get(key) is None:
            if key in needed:
                en, zh = KEY_NAMES[key]
                errors.append(field_error(f"deadlines.{key}",
                                          f"{en} is required by the program's rules",
                                          f"项目规则要求填写{zh}"))
            continue
        try:
            out[key] = parse_moment(deadlines[key], f"deadlines.{key}")
        except ValidationFailed as exc:  # collect, do not stop at the first one
            errors.extend(exc.details)
    start, end = out.get("implementation_start"), out.get("implementation_end")
    if start and end and end < start:
        errors.append(field_error("deadlines.implementation_end",
                                  "must not be before the implementation start",
                                  "实施结束时间不能早于实施开始时间"))
    closing = out.get("closing_deadline")
    if start and closing and closing < start:
        errors.append(field_error("deadlines.closing_deadline",
                                  "must not be before the implementation start",
                                  "结项截止时间不能早于实施开始时间"))
    if errors:
        raise invalid(errors)
    return {k: iso_utc(v) for k, v in out.items()}


def check(rules, deadlines, action, now):
    """Raise DeadlinePassed if the rules bound ``action`` and ``now`` is outside.

    Actions the rules do not mention are never refused here.
    """
    now = require_aware(now)
    bounds = rules.get("deadlines", {}).get(action)
    if not bounds:
        return
    action_en, action_zh = ACTION_NAMES[action]
    for edge in ("opens", "closes"):
        key = bounds.get(edge)
        if key is None:
            continue
        if (deadlines or {}).get(key) is None:
            en, zh = KEY_NAMES[key]
            raise invalid([field_error(f"deadlines.{key}", f"the campaign has no {en}",
                                       f"该批次未设置{zh}")])
        moment = parse_moment(deadlines[key], f"deadlines.{key}")
        if edge == "opens" and now < moment:
            raise DeadlinePassed(
                f"{action_en} opens at {display(moment)}",
                f"{action_zh}将于 {_display_zh(moment)} 开始",
                field=key, details={"opens_at": iso_utc(moment)})
        if edge == "closes" and now > moment:
            raise DeadlinePassed(
                f"{action_en} closed at {display(moment)}",
                f"{action_zh}已于 {_display_zh(moment)} 截止",
                field=key, details={"closed_at": iso_utc(moment)})
