"""Links in messages: the platform page a reader opens for an event.

Every message (web inbox, e-mail, DingTalk/WeCom robots) links to
``<NOTIFICATIONS.PUBLIC_URL>/go/<kind>/<id>``: the gateway's web page
(gateway/web/pages_inbox.py `go`) sends whoever opens it, after logging in, to the
real page for them (an approver to the claims waiting for them, the project's lead
to the project). Links stored in messages therefore keep working when pages move,
and never point at the JSON API.

`LINKS` says, per event type, which kind of page and which ``data`` field holds its
id; an event type not listed (a newer one) falls back to the first of `FALLBACK`'s
fields it carries, else the home page. A test checks that every event type of
``domain/catalog.py`` is listed.
"""
LINKS = {
    "application.submitted": ("application", "application_id"),
    "application.returned": ("application", "application_id"),
    "application.college_approved": ("application", "application_id"),
    "application.decided": ("application", "application_id"),
    "application.withdrawn": ("application", "application_id"),
    "review.assigned": ("reviews", "campaign_id"),
    "notice.published": ("notice", "campaign_id"),
    "notice.closed": ("final-list", "campaign_id"),
    "award.granted": ("award", "campaign_id"),
    "stage.assessed": ("application", "application_id"),
    "grant.awarded": ("project", "grant_id"),
    "claim.submitted": ("claim", "claim_id"),
    "claim.approved": ("claim", "claim_id"),
    "project.closed": ("project", "grant_id"),
}
FALLBACK = (
    ("application", "application_id"),
    ("claim", "claim_id"),
    ("project", "grant_id"),
    ("campaign", "campaign_id"),
)
KINDS = frozenset(kind for kind, _field in (*LINKS.values(), *FALLBACK))


def link_for(base, envelope):
    data = envelope.get("data") or {}
    base = (base or "").rstrip("/")
    known = LINKS.get(envelope.get("type"))
    for kind, field in ((known,) if known else ()) + FALLBACK:
        if data.get(field):
            return f"{base}/go/{kind}/{data[field]}"
    return base + "/"


def link_builder(base):
    """``planning.plan``'s ``link_for(envelope, recipient)``."""
    return lambda envelope, _recipient: link_for(base, envelope)
