"""Reports per project, college and campaign, from the ledger, on hand-worked numbers."""
from services.funding.domain import claims, grants, reports

from .support import (ADVISOR, COLLEGE, FINANCE, LEAD, NOW, SCHOOL, MemStore, claim_request,
                      open_campaign, pilot_rules, project)


def scenario():
    """Budget ¥20,000. p1 (col-me, key ¥5,000): c1 ¥1,200 paid, c2 ¥500 approved (unpaid),
    c3 ¥300 submitted. p2 (col-me, general ¥1,000): c4 ¥200 withdrawn.
    p3 (col-cs, featured ¥3,000): nothing claimed."""
    store, rules = MemStore(), pilot_rules()
    open_campaign(store, rules, 2_000_000)
    cs_lead = {"id": "u-lead3", "name": "王五", "roles": []}
    for pid, tier, amount, college, lead in (("p1", "key", 500_000, "col-me", "u-lead"),
                                             ("p2", "general", 100_000, "col-me", "u-lead"),
                                             ("p3", "featured", 300_000, "col-cs", "u-lead3")):
        store.apply(grants.award_grant(store.get("campaign", "camp"), rules,
                                       project(pid, college=college, lead=lead),
                                       {"tier": tier, "amount_fen": amount}, SCHOOL, NOW))
    camp = store.get("campaign", "camp")

    def claim(cid, pid, yuan, steps):
        store.apply(claims.file_claim(store.get("grant", f"grant-{pid}"), rules, camp, cid,
                                      claim_request(yuan), LEAD, NOW))
        for fn, who in steps:
            c = store.get("claim", cid)
            kw = {"payment_reference": "V-1"} if fn is claims.pay_claim else {}
            store.apply(fn(c, store.get("grant", c["grant_id"]), who, NOW, **kw))

    approvals = [(claims.approve_claim, ADVISOR), (claims.approve_claim, COLLEGE),
                 (claims.approve_claim, FINANCE)]
    claim("c1", "p1", "1200", approvals + [(claims.pay_claim, FINANCE)])
    claim("c2", "p1", "500", approvals)
    claim("c3", "p1", "300", [])
    claim("c4", "p2", "200", [(claims.withdraw_claim, LEAD)])
    assert cs_lead
    return store


COLS = ("granted_fen", "claimed_fen", "approved_fen", "paid_fen", "returned_fen", "remaining_fen")


def test_project_rows():
    store = scenario()
    rows = reports.project_rows(store.ledger, store.docs["grant"].values())
    got = {r["project_id"]: tuple(r[c] for c in COLS) for r in rows}
    assert got == {
        "p1": (500_000, 200_000, 170_000, 120_000, 0, 300_000),   # 1,200+500+300 claimed
        "p2": (100_000, 0, 0, 0, 0, 100_000),
        "p3": (300_000, 0, 0, 0, 0, 300_000),
    }
    p1 = rows[0]
    assert (p1["tier"], p1["tier_name"], p1["status"], p1["college_id"]) == ("key", "重点",
                                                                              "active", "col-me")
    assert p1["display"] == {"granted": "¥5,000.00", "claimed": "¥2,000.00",
                             "approved": "¥1,700.00", "paid": "¥1,200.00", "returned": "¥0.00",
                             "remaining": "¥3,000.00"}
    assert [r["project_id"] for r in reports.project_rows(store.ledger, college_id="col-cs")] \
        == ["p3"]


def test_college_rows_sum_their_projects():
    store = scenario()
    rows = {r["college_id"]: r for r in reports.college_rows(store.ledger, {"col-me": "机电学院"})}
    me = rows["col-me"]
    assert (me["college_name"], me["projects"]) == ("机电学院", 2)
    assert tuple(me[c] for c in COLS) == (600_000, 200_000, 170_000, 120_000, 0, 400_000)
    assert rows["col-cs"]["remaining_fen"] == 300_000


def test_campaign_row():
    store = scenario()
    row = reports.campaign_row(store.ledger, "camp")
    assert (row["budget_fen"], row["available_fen"], row["projects"]) == (2_000_000, 1_100_000, 3)
    assert tuple(row[c] for c in COLS) == (900_000, 200_000, 170_000, 120_000, 0, 700_000)
    assert row["display"]["available"] == "¥11,000.00"
    empty = reports.campaign_row([], "none")
    assert empty["granted_fen"] == 0 and empty["display"]["budget"] == "¥0.00"
