"""The campaign page's window of the published ranking (results.published_window) is
the window of the published round's document (results.ranking_window of its view),
read from the round's head and the chunks of rows it covers: kept by the publishing
job, or, for a round without them, kept when first read; the round's document (6 MB
at 5,000 dorms, read whole by nx-27017 however projected) is not read for it."""
import pytest

from services.scoring import store as scoring_store
from services.scoring.results import published_view, ranking_window
from tests.integration.command_log import count_commands
from tests.integration.helpers import as_job, current_results, finish_job
from tests.integration.scoring import world
from tests.integration.scoring.test_reviewer_spread import ADMIN, SWEEPS, _published_round

WINDOWS = ((0, 2), (0, 6), (1, 3), (2, 2), (3, 3), (5, 1), (4, 20), (6, 2), (0, 1))


@pytest.fixture
def extra_services():
    from services.scoring.service import ScoringService
    return [ScoringService]


@pytest.fixture
def commands(monkeypatch):
    return count_commands(monkeypatch, lambda collection, text: (collection in SWEEPS and "'_id'" not in text)
                          or "outbox_ts" in text)


def _round_with_rest(scoring, http):
    """`_published_round`, then one application vetoed and round 2 published: a round
    with applications on both sides of the cut line whatever the random assignment
    (with z-scores by reviewer, round 1 may select all six)."""
    cid, ids = _published_round(scoring, http, tuple(world.SECRETARIES))
    url = f"/api/scoring/campaigns/{cid}"
    vetoed = http.as_(ADMIN, "POST", f"{url}/applications/{ids['em1']}/veto", json={"reason": "项目材料弄虚作假"})
    assert vetoed.status_code == 201, vetoed.json
    published = as_job(http, ADMIN, "POST", f"{url}/results/publish", json={"round": 2})
    assert published.status_code == 200 and published.json["round"] == 2, published.json
    return cid, ids


def _windows(rpc, cid):
    out = {}
    for offset, limit in WINDOWS:
        shown = rpc.scoring.results("p_admin", cid, {"offset": offset, "limit": limit})["published"]
        assert shown.pop("stale") is False
        out[offset, limit] = shown
    return out


def test_the_published_window_is_the_rounds_window(commands, monkeypatch, scoring, http, mongo):
    monkeypatch.setattr(scoring_store, "ROWS_CHUNK", 2)   # windows across chunks
    cid, ids = _round_with_rest(scoring, http)
    db = mongo("scoring")
    doc = db.selections.find_one({"_id": f"{cid}:2"})
    expected = {(o, n): ranking_window(published_view(doc), o, n) for o, n in WINDOWS}
    assert expected[0, 6]["rows_total"] == len(ids) == 6 and expected[0, 6]["selected"]   # some selected, some not
    assert ids["em1"] in [r["application_id"] for r in expected[0, 6]["rest"]]

    commands.seen.clear()
    assert _windows(scoring, cid) == expected
    assert not [c for c in commands.seen if c.startswith("find") and ".selections " in c], commands.seen
    assert db.published_heads.find_one({"_id": f"{cid}:2"})["rows_total"] == 6   # kept by the publishing job
    assert sorted(d["_id"] for d in db.published_rows.find({"campaign_id": cid, "round": 2})) == [
        f"{cid}:2:{k}" for k in range(3)]

    # A round without them (published before they were kept): read once, kept, the same.
    db.published_heads.delete_many({})
    db.published_rows.delete_many({})
    assert _windows(scoring, cid) == expected
    assert db.published_heads.find_one({"_id": f"{cid}:2"}) and db.published_rows.find_one({"_id": f"{cid}:2:2"})
    assert scoring.scoring.results("p_admin", world.open_round(scoring, ("me1",))[0]["id"],
                                   {"offset": 0, "limit": 5})["published"] is None


def test_the_preview_is_kept_in_rows_and_read_a_window_at_a_time(monkeypatch, scoring, http, mongo):
    """The stored preview keeps its ranking apart (results_cache.store_preview), so a
    window reads the chunks it covers; a new preview replaces the rows of the one
    before; a preview stored whole (before rows were kept apart) still reads."""
    monkeypatch.setattr(scoring_store, "ROWS_CHUNK", 2)
    cid, ids = _round_with_rest(scoring, http)
    url = f"/api/scoring/campaigns/{cid}/results"
    whole = current_results(http, ADMIN, url).json["preview"]
    assert len(whole["selected"]) + len(whole["rest"]) == len(ids) == 6 and whole["selected"] and whole["rest"]
    db = mongo("scoring")
    published = published_view(db.selections.find_one({"_id": f"{cid}:2"}))        # the same inputs
    assert (whole["selected"], whole["rest"]) == (published["selected"], published["rest"])
    head = db.result_previews.find_one({"_id": cid})
    assert "selected" not in head["preview"] and (head["selected_total"], head["rows_total"]) == (
        len(whole["selected"]), 6)
    first = {d["_id"] for d in db.preview_rows.find({"campaign_id": cid})}
    assert first == {f"{cid}:{head['rows_gen']}:{k}" for k in range(3)}

    def windows():
        return {(o, n): scoring.scoring.results("p_admin", cid, {"offset": o, "limit": n})["preview"]
                for o, n in WINDOWS}

    expected = {(o, n): ranking_window(whole, o, n) for o, n in WINDOWS}
    assert windows() == expected
    assert http.as_(ADMIN, "GET", url).json["preview"] == whole         # whole, from every row

    recomputed = finish_job(http, ADMIN, http.as_(ADMIN, "POST", url + "/compute"))
    assert recomputed["state"] == "succeeded", recomputed
    again = db.result_previews.find_one({"_id": cid})
    assert again["rows_gen"] != head["rows_gen"]
    assert {d["gen"] for d in db.preview_rows.find({"campaign_id": cid})} == {again["rows_gen"]}   # old rows gone
    assert windows() == expected

    # Rows gone under their head (a newer preview replaced it between the two reads):
    # no truncated ranking is shown; the head is read again, and with no rows no preview.
    db.preview_rows.delete_many({"campaign_id": cid, "k": {"$gte": 1}})
    assert scoring.scoring.results("p_admin", cid, {"offset": 0, "limit": 6})["preview"] is None
    assert scoring.scoring.results("p_admin", cid, {"offset": 0, "limit": 2})["preview"] == expected[0, 2]

    db.result_previews.replace_one({"_id": cid}, dict(again, preview=whole))     # kept whole, as before
    db.result_previews.update_one({"_id": cid}, {"$unset": {"rows_gen": ""}})
    assert windows() == expected
