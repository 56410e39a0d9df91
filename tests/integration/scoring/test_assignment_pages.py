"""A campaign's assignments page by page (ScoringStore.assignments_page), read as the
range of ids its assignments have: every one of the campaign once, in id order, none
of another campaign's, also beside campaigns whose ids sort next to it, and where a
campaign id with a colon puts another campaign's inside the range (on the real server)."""
from services.scoring.store import pair_id


def _walk(store, campaign_id, limit):
    pages, after = [], None
    while True:
        found = store.assignments_page(campaign_id, after, limit)
        page = found[:limit]
        pages.append([d["_id"] for d in page])
        if len(found) <= limit:
            return pages
        after = page[-1]["_id"]


def test_pages_hold_the_campaign_once_each_in_order(scoring_store):
    store, sent = scoring_store
    campaigns = ["c1", "c1x", "c0", "c1:odd", "c2"]    # neighbours in id order, and one with a colon
    docs = [{"_id": pair_id(c, f"app{a:02d}", f"r{r}"), "campaign_id": c, "application_id": f"app{a:02d}",
             "reviewer_id": f"r{r}"} for c in campaigns for a in range(7) for r in range(3)]
    store.insert_assignments(docs)
    for campaign_id in ("c1x", "c0", "c2", "c1"):
        mine = sorted(d["_id"] for d in docs if d["campaign_id"] == campaign_id)
        for limit in (1, 4, 21, 50):
            sent.commands.clear()
            pages = _walk(store, campaign_id, limit)
            assert [i for page in pages for i in page] == mine, (campaign_id, limit)
            assert all(len(page) == limit for page in pages[:-1])
            by_range = all("campaign_id" not in str(command["pipeline"][0]) for _db, command in sent.commands)
            # c1's range holds c1:odd's assignments, so c1 is read by its equality
            assert by_range is (campaign_id != "c1"), (campaign_id, sent.commands[:1])
    assert store.assignments_page("nobody", None, 10) == []
