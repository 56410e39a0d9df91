"""Links in messages (services/notifications/links.py): every event type of the
catalogue has its page, every kind of link has a page at the gateway, and no link
points at the JSON API."""
from services.notifications.domain.catalog import EVENTS
from services.notifications.links import FALLBACK, KINDS, LINKS, link_for

BASE = "https://cx.example.edu.cn/"


def test_every_event_type_links_to_a_kind_of_page_the_gateway_serves():
    from gateway.web.pages_inbox import PAGES
    assert set(EVENTS) <= set(LINKS), sorted(set(EVENTS) - set(LINKS))
    assert KINDS <= set(PAGES), sorted(KINDS - set(PAGES))
    for event_type, spec in EVENTS.items():
        _kind, field = LINKS[event_type]
        assert field in spec.fields, (event_type, field)


def test_links_are_go_paths_on_the_public_address():
    envelope = {"type": "claim.submitted", "data": {"claim_id": "c-1", "grant_id": "g-1", "project_id": "p-1"}}
    assert link_for(BASE, envelope) == "https://cx.example.edu.cn/go/claim/c-1"
    assert link_for(BASE, {"type": "review.assigned", "data": {"campaign_id": "cmp-1"}}) == \
        "https://cx.example.edu.cn/go/reviews/cmp-1"
    # A newer event type falls back on the fields it carries, else the home page.
    assert link_for(BASE, {"type": "stage.reported", "data": {"application_id": "a-1", "campaign_id": "x"}}) == \
        "https://cx.example.edu.cn/go/application/a-1"
    assert link_for(BASE, {"type": "unknown", "data": {}}) == "https://cx.example.edu.cn/"
    assert all("/api/" not in link_for(BASE, {"type": t, "data": {f: "x" for _k, f in FALLBACK}}) for t in EVENTS)
