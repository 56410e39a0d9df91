"""Counting a review queue instead of listing it: `count_visible` and
`position_of` agree with what `list_applications` lists (and its pages by key,
through many applications changed at the same moment), for every way of seeing
(a person's own units, one college, several colleges, the school) and where they
overlap, on the real Mongo wire server."""
import random

import pytest

from services.applications.store import ApplicationsStore

HIDDEN = ["draft"]


@pytest.fixture
def store(config, mongo):
    repo = ApplicationsStore(mongo("applications"), config)
    repo.ensure_indexes()
    return repo


def _visible(applicant_ids=(), college_ids=(), school_units=()):
    return {"applicant_ids": list(applicant_ids), "on_behalf_ids": [], "college_ids": list(college_ids),
            "school_units": list(school_units), "hidden_states": HIDDEN}


def test_counts_and_positions_agree_with_the_list(store):
    rng = random.Random(7)
    docs = []
    for i in range(40):
        college = rng.choice(["c1", "c2", "c3"])
        state = rng.choice(["draft", "submitted", "submitted", "college_approved", "returned"])
        docs.append({"_id": f"q{i:03d}", "campaign_id": rng.choice(["k1", "k2"]), "college_id": college,
                     "applicant_id": f"u_me{i}" if i % 5 == 0 else f"unit_{i}", "state": state,
                     "submitted_at": None if state == "draft" else "2026-12-01T00:00:00+00:00",
                     "unit_path": ["school", college], "updated_ts": float(rng.choice(range(10))), "version": 1})
    store.db.applications.insert_many(docs)
    mine = [f"u_me{i}" for i in range(0, 40, 5)]       # the reader's own units' applications
    readers = [_visible(mine, ["c1"]), _visible(mine, ["c1", "c2"]), _visible(mine, [], ["school"]),
               _visible(mine), _visible([], ["c3"])]
    for visible in readers:
        for filters in ({}, {"campaign_id": "k1"}, {"campaign_id": "k2", "state": "submitted"}, {"state": "draft"},
                        {"college_id": "c2"}):
            listed = [d["_id"] for d in store.list_applications(visible, limit=500, **filters)]
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
