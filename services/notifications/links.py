"""Links in messages: the platform page a reader opens for an event.

The first of these ``data`` fields the event carries picks the page; the base is the
configured ``NOTIFICATIONS.PUBLIC_URL``. Paths are those of the platform's web pages.
"""
PAGES = (
    ("application_id", "/applications/{}"),
    ("claim_id", "/funding/claims/{}"),
    ("project_id", "/funding/projects/{}"),
    ("notice_id", "/notices/{}"),
    ("award_id", "/awards/{}"),
    ("campaign_id", "/campaigns/{}"),
)


def link_for(base, envelope):
    data = envelope.get("data") or {}
    base = (base or "").rstrip("/")
    for field, path in PAGES:
        if data.get(field):
            return base + path.format(data[field])
    return base + "/"


def link_builder(base):
    """``planning.plan``'s ``link_for(envelope, recipient)``."""
    return lambda envelope, _recipient: link_for(base, envelope)
