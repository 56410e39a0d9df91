"""A reviewer's list ("my reviews", /reviews) through the real gateway: one page of
their assignments at a time (by key), with how many there are and how many wait for
their scores, links to the next page and back to the first, every assignment once
over the pages in the order of the whole list; a page sends the same database
commands whatever its size (no round trip per assignment: a school's reviewer has
thousands); and submitting a sheet leads to the next one waiting."""
import re
from collections import Counter

import pytest

from gateway.web import pages_reviewer
from tests.integration.command_log import count_commands
from tests.integration.scoring import world
from tests.integration.web.test_admin_and_notice_pages import client_of, text

ADMIN, REVIEWER = "admin", "rev_a"
SWEEPS = ("notices", "objections", "final_lists", "awards", "jobs", "stage_reports", "outbox")   # (funding's log)
SCORES = {leaf: 8 for leaf in world.LEAVES}


@pytest.fixture
def commands(monkeypatch):
    # The timers' sweeps are not the page's work (as in scale/test_round_trips.py).
    return count_commands(monkeypatch, lambda collection, text: (collection in SWEEPS and "'_id'" not in text)
                          or "outbox_ts" in text)


def _rows(page):
    """(campaign id, application id) of each row's link to its score sheet."""
    return re.findall(r'href="/reviews/([^/"?]+)/([^/"?]+)"', page)


def _page(client, url, commands):
    commands.seen.clear()
    response = client.get(url)
    assert response.status_code == 200
    # The gateway's look at the revocations (gateway/revocations.py) comes every few seconds: not counted.
    counted = Counter(" ".join(c.split()[:2]) for c in commands.seen if "_accounts." not in c)
    return text(response), counted


def test_my_reviews_come_a_page_at_a_time_with_their_count(commands, scoring, http, gateway_app, monkeypatch):
    campaign, apps = world.open_round(scoring)
    cid = campaign["id"]
    assert http.as_(ADMIN, "PUT", f"/api/scoring/campaigns/{cid}/setup",
                    json={"reviewers_per_application": 1, "blind_review": False}).status_code == 200
    for app in apps.values():
        assert http.as_(ADMIN, "POST", f"/api/scoring/campaigns/{cid}/assignments",
                        json={"application_id": app["id"], "reviewer_id": f"p_{REVIEWER}"}).status_code == 201
    whole = http.as_(REVIEWER, "GET", "/api/scoring/assignments/mine").json
    order = [(a["campaign_id"], a["application_id"]) for a in whole]
    assert len(order) == 6
    done = http.as_(REVIEWER, "POST", f"/api/scoring/campaigns/{cid}/applications/{order[1][1]}/sheet/submit",
                    json={"scores": SCORES})
    assert done.status_code == 200, done.json

    # The API pages the same list: `limit`, then the Link header's next page, with the counts.
    walked, url = [], "/api/scoring/assignments/mine?limit=4"
    while url:
        answer = http.as_(REVIEWER, "GET", url)
        assert answer.status_code == 200 and answer.headers["X-Total-Count"] == "6", answer.json
        assert answer.headers["X-To-Score"] == "5"
        walked += [(a["campaign_id"], a["application_id"]) for a in answer.json]
        following = re.match(r'<([^>]+)>; rel="next"', answer.headers.get("Link", ""))
        url = following.group(1) if following else None
    assert walked == order
    bad = http.as_(REVIEWER, "GET", "/api/scoring/assignments/mine?limit=0")
    assert bad.status_code in (400, 422) and "limit" in str(bad.json), bad.json

    client, csrf = client_of(gateway_app, REVIEWER)
    monkeypatch.setattr(pages_reviewer, "REVIEWS_PAGE", 4)
    page, for_four = _page(client, "/reviews", commands)
    print("my reviews page commands:", sum(for_four.values()), dict(for_four))
    assert _rows(page) == order[:4] and "共 6 份，待评分 5 份；本页 4 份" in page
    assert "第一页" not in page and len(re.findall(r'href="/reviews\?after=[^"]+"', page)) == 1

    monkeypatch.setattr(pages_reviewer, "REVIEWS_PAGE", 2)
    seen, texts, url = [], [], "/reviews"
    while url:
        page, counted = _page(client, url, commands)
        texts.append(page)
        seen += _rows(page)
        assert "共 6 份，待评分 5 份；本页 2 份" in page
        assert ("第一页" in page) == (len(texts) > 1)
        # as many commands for a page of 2 as for one of 4: nothing per assignment
        assert counted == for_four, (counted, for_four)
        following = re.search(r'href="(/reviews\?after=[^"]+)"', page)
        url = following.group(1).replace("&amp;", "&") if following else None
    assert len(texts) == 3 and seen == order
    assert texts[0].count("已提交（锁定）") == 1 and texts[0].count("未开始") == 1   # order[1] submitted
    for app in apps.values():   # not blind: each row names its applicant
        assert sum(app["applicant_name"] in page for page in texts) >= 1, app["applicant_name"]

    # Submitting a sheet leads to the first one still waiting (the one submitted is skipped).
    sheet = client.post(f"/reviews/{order[0][0]}/{order[0][1]}",
                        data={**{f"score.{k}": str(v) for k, v in SCORES.items()}, "csrf_token": csrf,
                              "intent": "submit"})
    assert sheet.status_code == 303 and sheet.headers["Location"].startswith(f"/reviews/{cid}/{order[2][1]}?")
    page, _ = _page(client, "/reviews", commands)
    assert "共 6 份，待评分 4 份" in page
