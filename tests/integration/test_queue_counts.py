"""Counting a review queue instead of listing it: `count_visible` and
`position_of` agree with what `list_applications` lists (and its pages by key,
through many applications changed at the same moment), for every way of seeing
(a person's own units, one college, several colleges, the school) and where they
overlap, on the real Mongo wire server."""
import random

import pytest

from services.applications.domain.visibility import SHOWN_STATES
from services.applications.store import ApplicationsStore

HIDDEN = ["draft"]


@pytest.fixture
def store(config, mongo):
    repo = ApplicationsStore(mongo("applications"), config)
    repo.ensure_indexes()
    return repo


def _visible(applicant_ids=(), college_ids=(), school_units=(), whole_campaigns=()):
    return {"applicant_ids": list(applicant_ids), "on_behalf_ids": [], "college_ids": list(college_ids),
            "school_units": list(school_units), "hidden_states": HIDDEN,
            "shown_states": [list(pair) for pair in SHOWN_STATES], "whole_campaigns": list(whole_campaigns)}


def _sees(visible, doc, filters):
    """What the reader may list, said plainly: their own units' applications, and the
    others' that are not drafts nor withdrawn drafts, in a college they review or
    under their school; under the filters."""
    if any(doc.get(k) != v for k, v in filters.items()):
        return False
    if doc["applicant_id"] in visible["applicant_ids"]:
        return True
    if doc["state"] in HIDDEN or (doc["state"] == "withdrawn" and not doc["submitted_at"]):
        return False
    return doc["college_id"] in visible["college_ids"] or any(u in doc["unit_path"] for u in visible["school_units"])


@pytest.mark.parametrize("own_read", [500, 0])     # a person's own way read whole, or asked of the server
def test_counts_and_positions_agree_with_the_list(store, monkeypatch, own_read):
    from services.applications import visible_lists
    monkeypatch.setattr(visible_lists, "OWN_READ", own_read)
    rng = random.Random(7)
    docs = []
    for i in range(40):
        college = rng.choice(["c1", "c2", "c3"])
        state = rng.choice(["draft", "submitted", "submitted", "college_approved", "returned", "withdrawn",
                            "approved", "rejected"])
        # a withdrawn draft was never submitted; a reopened one (a draft again) may have been
        submitted = state not in ("draft", "withdrawn") or rng.random() < 0.5
        campaign = rng.choice(["k1", "k2", "k3"])
        docs.append({"_id": f"q{i:03d}", "campaign_id": campaign, "college_id": college,
                     "applicant_id": f"u_me{i}" if i % 5 == 0 else f"unit_{i}", "state": state,
                     "submitted_at": "2026-12-01T00:00:00+00:00" if submitted else None,
                     # k3 is another school's campaign (a whole-school reader of k1 and k2 only)
                     "unit_path": ["school2" if campaign == "k3" else "school", college],
                     "updated_ts": float(rng.choice(range(10))), "version": 1})
    store.db.applications.insert_many(docs)
    mine = [f"u_me{i}" for i in range(0, 40, 5)]       # the reader's own units' applications
    readers = [_visible(mine, ["c1"]), _visible(mine, ["c1", "c2"]), _visible(mine, [], ["school"]),
               _visible(mine), _visible([], ["c3"]), _visible(mine, ["c2"], ["school"]),
               _visible([], [], ["school"], whole_campaigns=["k1"]), _visible(mine, ["c1"], ["school2"])]
    for visible in readers:
        for filters in ({}, {"campaign_id": "k1"}, {"campaign_id": "k2", "state": "submitted"}, {"state": "draft"},
                        {"college_id": "c2"}, {"campaign_id": "k3"}, {"campaign_id": "k1", "state": "withdrawn"},
                        {"college_id": "c1", "state": "rejected"}):
            listed = [d["_id"] for d in store.list_applications(visible, limit=500, **filters)]
            assert set(listed) == {d["_id"] for d in docs if _sees(visible, d, filters)}, (visible, filters)
            assert store.count_visible(visible, **filters) == len(listed), (visible, filters)
            paged, after = [], None      # by key, three at a time (ties on updated_ts by id)
            while True:
                page = [d["_id"] for d in store.list_applications(visible, limit=3, after=after, **filters)]
                paged += page
                if len(page) < 3:
                    break
                after = page[-1]
            assert paged == listed, (visible, filters)
            for doc in docs[::3]:
                expected = listed.index(doc["_id"]) + 1 if doc["_id"] in listed else None
                assert store.position_of(visible, doc["_id"], **filters) == expected, (visible, filters, doc)
    assert store.position_of(_visible(mine), "nothing") is None


def test_a_bulk_step_stamps_each_application_apart_and_its_first_page_is_read_by_stamp(config):
    """Applications decided in one bulk write each get their own updated_ts (a
    microsecond apart), so a list's first page is read sorted by the stamp alone, the
    order by id following from it; the pages by key still list each once, in order."""
    from datetime import datetime, timezone

    from pymongo import MongoClient

    from core.mongo import database_name
    from tests.integration.command_log import Started

    finds = Started("find")
    client = MongoClient(config["MONGO_URI"], tz_aware=True, event_listeners=[finds])
    repo = ApplicationsStore(client[database_name(config, "applications")], config)
    try:
        docs = [{"_id": f"b{i:03d}", "campaign_id": "bulk", "college_id": "c1", "applicant_id": f"unit_{i}",
                 "state": "college_approved", "submitted_at": "2026-12-01T00:00:00+00:00", "unit_path": ["school", "c1"],
                 "updated_ts": 100.0, "version": 1, "outbox": None} for i in range(60)]
        repo.db.applications.insert_many(docs)
        now = datetime.now(timezone.utc)
        decided = repo.apply_changes([(doc, {"state": "approved"}, {"audit": None, "event": None}) for doc in docs], now)
        stamps = [d["updated_ts"] for d in decided]
        assert len(decided) == 60 and len(set(stamps)) == 60 and max(stamps) - min(stamps) < 0.01
        admin = _visible([], [], ["school"], whole_campaigns=["bulk"])
        expected = [d["_id"] for d in sorted(decided, key=lambda d: (d["updated_ts"], d["_id"]), reverse=True)]
        finds.commands.clear()
        first = [d["_id"] for d in repo.list_applications(admin, campaign_id="bulk", limit=20)]
        assert first == expected[:20]
        sorts = [list(command.get("sort") or {}) for _db, command in finds.commands if command["find"] == "applications"]
        assert sorts == [["updated_ts"]], sorts      # by the stamp alone: no sort naming _id
        paged, after = [], None
        while True:
            page = [d["_id"] for d in repo.list_applications(admin, campaign_id="bulk", limit=7, after=after)]
            paged += page
            if len(page) < 7:
                break
            after = page[-1]
        assert paged == expected
        # placed without reading the list, each stamp its own (a draft of the campaign is no one else's)
        repo.db.applications.insert_one(dict(docs[0], _id="b_draft", applicant_id="unit_draft", state="draft",
                                             submitted_at=None, updated_ts=now.timestamp() + 60))
        for k in (0, 1, 29, 59):
            assert repo.position_of(admin, expected[k], campaign_id="bulk") == k + 1
        assert repo.count_visible(admin, campaign_id="bulk") == 60
    finally:
        client.close()


def test_a_place_in_the_queue_reads_a_persons_own_applications_once(store, monkeypatch):
    """The review page's "第 x 份" asks whether the reader's own way holds the
    application, then counts what comes before it and what shares its stamp: the
    reader's own applications are read once for all three, not once each."""
    from core import mongo
    reads, read = [], mongo._read_lead
    monkeypatch.setattr(mongo, "_read_lead", lambda coll, lead, *rest: reads.append(repr(lead)) or read(coll, lead, *rest))
    store.db.applications.insert_many([
        {"_id": f"p{i}", "campaign_id": f"k{i // 2}", "college_id": "c1", "applicant_id": f"u_me{i % 2}",
         "state": "submitted", "submitted_at": "2026-12-01T00:00:00+00:00", "unit_path": ["school", "c1"],
         "updated_ts": 5.0 if i < 3 else float(i), "version": 1} for i in range(6)])
    mine = _visible(["u_me0", "u_me1"])
    listed = [d["_id"] for d in store.list_applications(mine)]
    reads.clear()
    assert store.position_of(mine, "p1") == listed.index("p1") + 1
    assert sorted(reads) == ["{'applicant_id': 'u_me0'}", "{'applicant_id': 'u_me1'}"]
