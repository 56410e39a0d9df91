"""The events the notifications service understands, and the `data` fields each carries.

One table, ``EVENTS``, keyed by event type. For each event it names:

- ``exchange``: where the publishing service's Nameko ``EventDispatcher`` puts it
  (topic exchange ``<service>.events``, routing key = event type);
- ``public``: whether it is part of the public contract (``docs/asyncapi.yaml``;
  a test checks that the two agree);
- ``fields``: scalar ``data`` fields, usable as template placeholders;
- ``optional``: those of ``fields`` that may be absent or null (rendered as "");
- ``lists``: list-valued ``data`` fields (not placeholders; e.g. ``entries``);
- ``recipient_fields``: list-of-id fields that only route messages
  (``recipients.RULES`` says who they are); optional in every payload;
- ``action_required``: the recipient has to act (the inbox copy cannot be muted).

Placeholders available to every template come from the envelope and the render
context (``COMMON_PLACEHOLDERS``) and from derived, human-readable forms of some
fields (``DERIVED``: money in yuan, local times, state labels, the notice list).
"""
from dataclasses import dataclass, field

from core.labels import VOCABULARIES

APPLICATIONS = "applications.events"
SCORING = "scoring.events"
FUNDING = "funding.events"


@dataclass(frozen=True)
class EventSpec:
    type: str
    exchange: str
    public: bool
    fields: tuple
    optional: tuple = ()
    lists: tuple = ()
    recipient_fields: tuple = ()
    action_required: bool = False
    title_zh: str = ""
    title_en: str = ""
    notes: str = field(default="", compare=False)

    @property
    def routing_key(self):
        return self.type

    @property
    def placeholders(self):
        """Every name a template for this event may use."""
        names = set(COMMON_PLACEHOLDERS) | set(self.fields)
        for source, derived in DERIVED.items():
            if source in self.fields or source in self.lists:
                names.update(derived)
        return frozenset(names)


_APPLICATION_FIELDS = (
    "application_id", "campaign_id", "program", "applicant_id", "applicant_name",
    "unit_id", "college_id", "state", "from_state", "reason",
)
_APPLICATION_RECIPIENTS = ("applicant_user_ids", "counselor_ids", "college_admin_ids", "school_admin_ids")
_NOTICE_FIELDS = ("notice_id", "campaign_id", "program", "opens_at", "closes_at")
_NOTICE_RECIPIENTS = ("scope_user_ids", "scope_unit_ids", "listed_user_ids")


def _application(event_type, title_zh, title_en, action_required=False, public=False):
    return EventSpec(
        event_type, APPLICATIONS, public, _APPLICATION_FIELDS,
        optional=("reason", "college_id", "from_state"),
        recipient_fields=_APPLICATION_RECIPIENTS,
        action_required=action_required, title_zh=title_zh, title_en=title_en,
    )


EVENTS = {spec.type: spec for spec in (
    _application("application.submitted", "申报已提交", "Application submitted", public=True),
    _application("application.returned", "申报被退回", "Application returned", action_required=True),
    _application("application.college_approved", "学院审核通过", "Approved by the college"),
    _application("application.decided", "评审结果", "Decision made", public=True),
    _application("application.withdrawn", "申报已撤回", "Application withdrawn"),
    EventSpec(
        "review.assigned", SCORING, False,
        ("campaign_id", "program", "application_count", "due_at"),
        recipient_fields=("reviewer_ids",), action_required=True,
        title_zh="评审任务", title_en="Review assignment",
        notes="No applicant names: the campaign may use blind review.",
    ),
    EventSpec(
        "notice.published", APPLICATIONS, True, _NOTICE_FIELDS, lists=("entries",),
        recipient_fields=_NOTICE_RECIPIENTS, title_zh="公示开始", title_en="Public notice opened",
    ),
    EventSpec(
        "notice.closed", APPLICATIONS, True, _NOTICE_FIELDS, lists=("entries",),
        recipient_fields=_NOTICE_RECIPIENTS, title_zh="公示结束", title_en="Public notice closed",
    ),
    EventSpec(
        "award.granted", APPLICATIONS, True,
        ("award_id", "program", "campaign_id", "academic_year", "recipient_kind",
         "recipient_id", "recipient_name", "title", "level",
         # Optional, for the records service's history; member_ids is a list (the
         # people of the unit), kept here rather than in `lists`, which are required.
         "code", "category", "application_id", "member_ids"),
        optional=("code", "category", "application_id", "member_ids"),
        recipient_fields=("recipient_user_ids", "counselor_ids"), title_zh="荣誉授予", title_en="Award granted",
    ),
    EventSpec(
        "stage.assessed", APPLICATIONS, False,
        ("application_id", "campaign_id", "program", "applicant_name", "stage", "result", "comment"),
        optional=("comment",), recipient_fields=("applicant_user_ids",),
        title_zh="阶段考核结果", title_en="Stage report assessed",
        notes="A stage report (mid-term check, final evaluation) passed, returned for resubmission "
              "(the comment says why) or failed.",
    ),
    EventSpec(
        "grant.awarded", FUNDING, True,
        ("grant_id", "campaign_id", "project_id", "project_title", "tier", "amount_fen"),
        optional=("project_title",), recipient_fields=("lead_user_ids", "finance_user_ids"),
        title_zh="立项经费下达", title_en="Grant awarded",
    ),
    EventSpec(
        "claim.submitted", FUNDING, False,
        ("claim_id", "grant_id", "project_id", "project_title", "campaign_id", "amount_fen", "step"),
        optional=("step", "project_title"), recipient_fields=("approver_user_ids", "finance_user_ids"),
        action_required=True, title_zh="报销待审批", title_en="Claim awaiting approval",
    ),
    EventSpec(
        "claim.approved", FUNDING, False,
        ("claim_id", "grant_id", "project_id", "project_title", "campaign_id", "amount_fen"),
        optional=("project_title",), recipient_fields=("lead_user_ids", "finance_user_ids"),
        title_zh="报销已批准", title_en="Claim approved",
    ),
    EventSpec(
        "project.closed", FUNDING, True,
        ("project_id", "project_title", "grant_id", "campaign_id", "spent_fen", "returned_fen"),
        optional=("project_title",), recipient_fields=("lead_user_ids", "finance_user_ids"),
        title_zh="项目结项", title_en="Project closed",
    ),
)}

PUBLIC_EVENTS = tuple(t for t, spec in EVENTS.items() if spec.public)

# From the envelope and the render context; always allowed in a template.
COMMON_PLACEHOLDERS = (
    "event_id", "event_type", "event_title", "occurred_at", "occurred_at_local",
    "actor_name", "reader_name", "program_name", "link", "platform_name",
)

# source field -> placeholders derived from it (see templates.build_context)
DERIVED = {
    "amount_fen": ("amount_yuan",),
    "spent_fen": ("spent_yuan",),
    "returned_fen": ("returned_yuan",),
    "state": ("state_label",),
    "from_state": ("from_state_label",),
    "opens_at": ("opens_at_local",),
    "closes_at": ("closes_at_local",),
    "due_at": ("due_at_local",),
    "tier": ("tier_label",),
    "level": ("level_label",),
    "recipient_kind": ("recipient_kind_label",),
    "stage": ("stage_label",),
    "result": ("result_label",),
    "entries": ("entries_text", "entry_count"),
}

# value -> (zh, en) from the one label catalogue (core/labels.py); unknown values
# render as themselves.
LABELS = {
    "state": VOCABULARIES["state"],
    "from_state": VOCABULARIES["state"],
    "tier": VOCABULARIES["tier"],
    "level": VOCABULARIES["level"],
    "recipient_kind": VOCABULARIES["applicant_kind"],
    "stage": VOCABULARIES["stage"],
    "result": VOCABULARIES["stage_result"],
}


def spec_for(event_type):
    """The EventSpec of a known event type, or None."""
    return EVENTS.get(event_type)
