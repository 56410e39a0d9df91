"""Who gets a message about an event: one declarative table, ``RULES``.

Each entry names the ``data`` field that holds the people to tell and the role they
are told in. The publishing service puts those ids into the event (they are optional
"routing hints" in every payload; the public AsyncAPI schemas list them), so the
notifications service never reads another service's database.

Expected recipient fields (all lists of user ids unless said otherwise):

==============================  ===========================================================
event type                      data fields → role
==============================  ===========================================================
application.submitted           applicant_user_ids → applicant (a receipt, even to the actor),
                                counselor_ids → counselor (pre-review 辅导员初审)
application.returned            applicant_user_ids → applicant, counselor_ids → counselor
application.college_approved    applicant_user_ids → applicant, school_admin_ids → school_admin
application.decided             applicant_user_ids → applicant, counselor_ids → counselor
application.withdrawn           applicant_user_ids → applicant, counselor_ids → counselor
review.assigned                 reviewer_ids → reviewer
notice.published                scope_user_ids → scope; scope_unit_ids → scope (unit ids,
                                expanded to their members by the service's directory lookup)
notice.closed                   listed_user_ids → listed (people behind the listed entries)
award.granted                   recipient_user_ids → awardee, counselor_ids → counselor
stage.assessed                  applicant_user_ids → applicant (passed, returned, failed)
grant.awarded                   lead_user_ids → lead, finance_user_ids → finance
claim.submitted                 approver_user_ids → approver (next step: advisor → college →
                                finance), finance_user_ids → finance
claim.approved                  lead_user_ids → lead, finance_user_ids → finance
project.closed                  lead_user_ids → lead, finance_user_ids → finance
==============================  ===========================================================

The acting user (``envelope.actor.id``) is not told about their own action unless the
rule says ``include_actor`` (the applicant's submission receipt).

Systems, not people: webhook subscribers and DingTalk/WeCom group robots receive the
events they subscribed to (``subscriptions.matching``), awards included.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    role: str
    field: str
    include_actor: bool = False
    units: bool = False  # the field holds unit ids; the service expands them to user ids


_APPLICANT = Rule("applicant", "applicant_user_ids")
_COUNSELOR = Rule("counselor", "counselor_ids")
_LEAD = Rule("lead", "lead_user_ids")
_FINANCE = Rule("finance", "finance_user_ids")

RULES = {
    "application.submitted": (Rule("applicant", "applicant_user_ids", include_actor=True), _COUNSELOR),
    "application.returned": (_APPLICANT, _COUNSELOR),
    "application.college_approved": (_APPLICANT, Rule("school_admin", "school_admin_ids")),
    "application.decided": (_APPLICANT, _COUNSELOR),
    "application.withdrawn": (_APPLICANT, _COUNSELOR),
    "review.assigned": (Rule("reviewer", "reviewer_ids", include_actor=True),),
    "notice.published": (Rule("scope", "scope_user_ids"), Rule("scope", "scope_unit_ids", units=True)),
    "notice.closed": (Rule("listed", "listed_user_ids"),),
    "award.granted": (Rule("awardee", "recipient_user_ids"), _COUNSELOR),
    "stage.assessed": (_APPLICANT,),
    "grant.awarded": (_LEAD, _FINANCE),
    "claim.submitted": (Rule("approver", "approver_user_ids"), _FINANCE),
    "claim.approved": (_LEAD, _FINANCE),
    "project.closed": (_LEAD, _FINANCE),
}


def _ids(value):
    """Clean list of string ids from a data field (None, a single id or a list)."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    seen, out = set(), []
    for item in value:
        if isinstance(item, (str, int)) and not isinstance(item, bool) and str(item) and str(item) not in seen:
            seen.add(str(item))
            out.append(str(item))
    return out


def unit_fields(event_type):
    """Data fields of this event that hold unit ids to expand (for the service)."""
    return [rule.field for rule in RULES.get(event_type, ()) if rule.units]


def resolve(envelope, expand_units=None):
    """People to tell: a list of {"user_id": str, "roles": [str, ...]}, in rule order,
    each user once (roles merged).

    ``expand_units(unit_ids) -> iterable of user ids`` is called for rules whose field
    holds unit ids; without it those rules are skipped.
    """
    data = envelope.get("data") or {}
    actor_id = (envelope.get("actor") or {}).get("id")
    found = {}
    for rule in RULES.get(envelope["type"], ()):
        ids = _ids(data.get(rule.field))
        if rule.units:
            if expand_units is None or not ids:
                continue
            ids = _ids(list(expand_units(ids)))
        for user_id in ids:
            if user_id == actor_id and not rule.include_actor:
                continue
            entry = found.setdefault(user_id, {"user_id": user_id, "roles": []})
            if rule.role not in entry["roles"]:
                entry["roles"].append(rule.role)
    return list(found.values())


def user_ids(envelope, expand_units=None):
    """Just the ids of ``resolve`` (to load preferences and contacts in one query)."""
    return [entry["user_id"] for entry in resolve(envelope, expand_units)]
