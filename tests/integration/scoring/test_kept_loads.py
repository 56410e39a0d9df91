"""The reviewers' loads the campaign page shows (ScoringStore.assignment_loads) are
kept on the campaign's lock with the epoch they were counted at: read again without
counting while the assignments have not changed, counted again after any change,
and never kept from a count that a change overlapped or while a change holds the
campaign (on the real server)."""
from datetime import datetime, timezone



def _assign(store, campaign_id, pairs, now):
    """One change of the campaign's assignments, as reviewing.py makes them."""
    held = store.begin_assignment_change(campaign_id, store.assignment_epoch(campaign_id, now), now)
    try:
        store.insert_assignments([{"_id": f"{campaign_id}:{a}:{r}", "campaign_id": campaign_id, "application_id": a,
                                   "reviewer_id": r, "reviewer_name": f"评审{r}"} for a, r in pairs])
    finally:
        store.end_assignment_change(campaign_id, held)


def test_loads_are_kept_until_the_assignments_change(scoring_store):
    store, counted = scoring_store
    now = datetime.now(timezone.utc)
    cid = f"c-loads-{now.timestamp()}"
    assert store.assignment_loads(cid) == []
    _assign(store, cid, [("a1", "r1"), ("a2", "r1"), ("a1", "r2")], now)
    first = store.assignment_loads(cid)
    assert first == [("r1", "评审r1", 2), ("r2", "评审r2", 1)]
    counted.commands.clear()
    assert store.assignment_loads(cid) == first and len(counted.commands) == 0      # kept: nothing counted
    _assign(store, cid, [("a3", "r2"), ("a3", "r3")], now)
    assert store.assignment_loads(cid) == [("r1", "评审r1", 2), ("r2", "评审r2", 2), ("r3", "评审r3", 1)]
    assert len(counted.commands) == 1
    store.delete_assignment(f"{cid}:a1:r1")     # (a removal is made inside a change too)
    _assign(store, cid, [], now)
    assert store.assignment_loads(cid)[0] == ("r1", "评审r1", 1)


def test_a_count_that_a_change_overlaps_or_a_busy_campaign_is_not_kept(scoring_store, monkeypatch):
    store, counted = scoring_store
    now = datetime.now(timezone.utc)
    cid = f"c-race-{now.timestamp()}"
    _assign(store, cid, [("a1", "r1")], now)
    counting = store._count_loads

    def overlapped(campaign_id):
        loads = counting(campaign_id)          # the old picture, then a change lands
        _assign(store, campaign_id, [("a2", "r1")], now)
        return loads

    monkeypatch.setattr(store, "_count_loads", overlapped)
    assert store.assignment_loads(cid) == [("r1", "评审r1", 1)]     # what it counted, for this view only
    monkeypatch.setattr(store, "_count_loads", counting)
    assert store.assignment_loads(cid) == [("r1", "评审r1", 2)]     # not the overlapped count
    # while a change holds the campaign nothing is kept, and what it ends with is counted
    held = store.begin_assignment_change(cid, store.assignment_epoch(cid, now), now)
    store.insert_assignments([{"_id": f"{cid}:a3:r1", "campaign_id": cid, "application_id": "a3",
                               "reviewer_id": "r1", "reviewer_name": "评审r1"}])
    counted.commands.clear()
    assert store.assignment_loads(cid) == [("r1", "评审r1", 3)] and len(counted.commands) == 1
    assert store.assignment_loads(cid) == [("r1", "评审r1", 3)] and len(counted.commands) == 2
    store.end_assignment_change(cid, held)
    store.assignment_loads(cid)
    store.assignment_loads(cid)
    assert len(counted.commands) == 3
