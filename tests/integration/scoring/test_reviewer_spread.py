"""The dashboard's reviewer spread, computed by the scoring service from the
published round in a few reads (reviewer_spread.py), gives the numbers the admin's
explanations of every ranked application give (one `explain` each, summed as the
page did before: tests/unit/scoring/reference_spread.py); and the dashboard page
sends as many database commands for a campaign of 6 applications as for one of 2 (it
used to read each application's audit trail and explanation)."""
import json
import re
from collections import Counter

import pytest

from core.errors import PermissionDenied
from gateway.web.pages_dashboard import box
from services.scoring.reviewer_spread import summarise
from tests.integration.command_log import count_commands
from tests.integration.helpers import as_job, close_applications, finish_job
from tests.integration.scoring import world
from tests.unit.scoring.reference_spread import explained_totals
from tests.integration.web.test_admin_and_notice_pages import client_of, text

ADMIN = "admin"
LOGINS = dict({f"p_{r}": r for r in ("rev_a", "rev_b", "rev_c", "rev_d", "rev_e", "rev_f", "rev_stu")},
              p_reviewer="reviewer")
SWEEPS = ("notices", "objections", "final_lists", "awards", "jobs", "stage_reports", "outbox")   # (funding's log)


@pytest.fixture
def extra_services():
    from services.funding.service import FundingService
    from services.scoring.service import ScoringService
    return [ScoringService, FundingService]   # the page asks funding for the budget too


@pytest.fixture
def commands(monkeypatch):
    # The timers' sweeps are not the page's work (as in scale/test_round_trips.py).
    return count_commands(monkeypatch, lambda collection, text: (collection in SWEEPS and "'_id'" not in text)
                          or "outbox_ts" in text)


def _url(cid, tail=""):
    return f"/api/scoring/campaigns/{cid}{tail}"


def _published_round(scoring, http, branches):
    """A campaign of `branches`, z-scores on, three reviewers per application, every
    sheet submitted (each reviewer's marks offset by their place: world.marks), the
    round published. Returns (campaign id, {branch key: application id})."""
    campaign, apps = world.open_round(scoring, branches)
    cid = campaign["id"]
    setup = {"aggregation": "trimmed_mean", "zscore": True, "reviewers_per_application": 3, "blind_review": True,
             "conflict": {"fields": ["class_id", "dorm_id", "branch_id"], "same_college": True}}
    saved = http.as_(ADMIN, "PUT", _url(cid, "/setup"), json=setup)
    assert saved.status_code == 200 and saved.json["zscore"] is True, saved.json
    finish_job(http, ADMIN, http.as_(ADMIN, "POST", _url(cid, "/assignments/auto")))
    reviewers = {}
    for a in http.as_(ADMIN, "GET", _url(cid, "/assignments")).json["assignments"]:
        reviewers.setdefault(a["application_id"], []).append(a["reviewer_id"])
    ids = {k: a["id"] for k, a in apps.items()}
    for key, app_id in ids.items():
        for position, reviewer in enumerate(sorted(reviewers[app_id])):
            done = http.as_(LOGINS[reviewer], "POST", _url(cid, f"/applications/{app_id}/sheet/submit"),
                            json={"scores": world.marks(key, position)})
            assert done.status_code == 200 and done.json["state"] == "submitted", done.json
    close_applications(http, ADMIN, cid)
    published = as_job(http, ADMIN, "POST", _url(cid, "/results/publish"), json={})
    assert published.status_code == 200, published.json
    return cid, ids


def _explained(rpc, cid):
    """The spread as the page computed it before: one `explain` per ranked application,
    each reviewer's totals summed from them (the oracle), summarised as the service does;
    and those totals."""
    published = rpc.scoring.published_results("p_admin", cid)
    ids = [e["application_id"] for e in published["selected"] + published["rest"]]
    criteria = rpc.scoring.campaign_criteria("p_admin", cid)
    totals, names = explained_totals([rpc.scoring.explain("p_admin", cid, aid) for aid in ids],
                                     criteria["leaf_shares"] or {}, criteria["leaf_shares_by_category"])
    return summarise(totals, names), totals


def _dashboard(admin, cid, commands):
    commands.seen.clear()
    page = admin.get(f"/dashboard?campaign_id={cid}")
    assert page.status_code == 200
    # The gateway's look at the revocations (gateway/revocations.py) comes every few
    # seconds, whatever the page: not counted.
    counted = Counter(key for key in (" ".join(c.split()[:2]) for c in commands.seen) if "_accounts." not in key)
    charts = json.loads(re.search(r'id="dashboard-data">(.*?)</script>', text(page), re.S).group(1))
    return charts, counted


def test_the_spread_matches_the_explanations_and_the_page_reads_as_much_for_6_as_for_2(commands, scoring, http,
                                                                                         gateway_app, mongo):
    small, _ = _published_round(scoring, http, ("me2", "em1"))
    assert scoring.scoring.reviewer_spread("p_admin", small)["zscore"] is True
    big, ids = _published_round(scoring, http, tuple(world.SECRETARIES))

    spread = scoring.scoring.reviewer_spread("p_admin", big)
    assert spread["round"] == 1 and spread["zscore"] is True
    explained, totals = _explained(scoring, big)
    assert spread["reviewers"] == explained
    assert len(spread["reviewers"]) == 7 and sum(r["before_stats"]["n"] for r in spread["reviewers"]) == 18
    assert all(r["name"] != r["reviewer_id"] for r in spread["reviewers"])   # named from their sheets
    # z-scores moved the totals: before and after differ for some reviewer
    assert any(before != after for before, after in totals.values())
    assert any(r["before_stats"] != r["after_stats"] for r in spread["reviewers"])
    # one reviewer's numbers, from the totals the explanations give
    one = spread["reviewers"][0]
    before = sorted(totals[one["reviewer_id"]][0])
    assert (one["before_stats"]["n"], one["before_stats"]["min"], one["before_stats"]["max"]) == (
        len(before), before[0], before[-1])
    assert scoring.scoring.reviewer_spread("p_admin", small)["reviewers"] == _explained(scoring, small)[0]
    # Kept by the publishing job (from the computation in hand); without it, computed from
    # the stored round alike and kept.
    kept = mongo("scoring").reviewer_spreads
    assert kept.find_one({"_id": f"{big}:1"})["reviewers"] == spread["reviewers"]
    assert kept.delete_many({}).deleted_count == 2
    assert scoring.scoring.reviewer_spread("p_admin", big) == spread
    assert kept.find_one({"_id": f"{big}:1"})["reviewers"] == spread["reviewers"]
    assert scoring.scoring.reviewer_spread("p_admin", small)["reviewers"] == _explained(scoring, small)[0]
    with pytest.raises(PermissionDenied):
        scoring.scoring.reviewer_spread("p_reviewer", big)
    unpublished, _ = world.open_round(scoring, ("me1",))
    assert scoring.scoring.reviewer_spread("p_admin", unpublished["id"]) is None

    # The page: every application counted, and as many commands for 6 as for 2.
    admin, _csrf = client_of(gateway_app, ADMIN)
    charts, for_big = _dashboard(admin, big, commands)
    assert sum(sum(d["data"]) for d in charts["byCollege"]["datasets"]) == len(ids) == 6
    assert charts["reviewers"]["names"] == [r["name"] for r in spread["reviewers"]]
    assert charts["reviewers"]["before"] == [box(r["before_stats"]) for r in spread["reviewers"]]
    assert charts["reviewers"]["after"] == [box(r["after_stats"]) for r in spread["reviewers"]]
    _charts, for_small = _dashboard(admin, small, commands)
    print("dashboard commands:", sum(for_small.values()), "for 2 applications,", sum(for_big.values()), "for 6",
          dict(for_big))
    assert sum(for_big.values()) and for_big == for_small, (for_small, for_big)
    # the round's spread is kept: neither its scores nor its document are read
    assert not [k for k in for_big if "selection_scores" in k or k.startswith("find") and k.endswith(".selections")]
