"""Funding reports (经费报表), derived only from ledger entries.

Columns, all int fen, each with a display string under ``display``:

- ``granted_fen``   awarded to the project(s)
- ``claimed_fen``   in live claims: reserved + approved + paid (rejected, withdrawn and
  returned claims no longer count)
- ``approved_fen``  finally approved, whether paid yet or not: approved + paid
- ``paid_fen``      paid out
- ``returned_fen``  handed back to the campaign at closing
- ``remaining_fen`` still claimable: granted − claimed − returned (0 once closed)

So ``granted >= claimed >= approved >= paid`` on every row. The campaign row adds
``budget_fen`` and ``available_fen`` (budget − granted + returned).

Guarantee: rows are pure functions of the entries (duplicates ignored), sorted by id,
and the college and campaign rows are exact sums of the project rows.
"""
from .ledger import campaign_balance, grant_balances, totals_by
from .money import format_fen

COLUMNS = ("granted_fen", "claimed_fen", "approved_fen", "paid_fen", "returned_fen",
           "remaining_fen")


def _row(bal):
    row = {
        "granted_fen": bal["granted_fen"], "claimed_fen": bal["committed_fen"],
        "approved_fen": bal["approved_fen"] + bal["paid_fen"], "paid_fen": bal["paid_fen"],
        "returned_fen": bal["returned_fen"], "remaining_fen": bal["remaining_fen"],
    }
    return row


def _display(row, columns=COLUMNS):
    row["display"] = {c[:-4]: format_fen(row[c]) for c in columns}
    return row


def project_rows(entries, grants=(), college_id=None):
    """One row per grant: ``{"project_id", "grant_id", "campaign_id", "college_id",
    "tier", "tier_name", "title", "status", <COLUMNS>, "display"}``. ``grants`` (the
    grant documents) add tier, title and status; ``college_id`` filters."""
    info = {g["id"]: g for g in grants}
    rows = []
    for gid, bal in grant_balances(entries).items():
        if college_id is not None and bal["college_id"] != college_id:
            continue
        g = info.get(gid, {})
        rows.append(_display({
            "project_id": bal["project_id"], "grant_id": gid, "campaign_id": bal["campaign_id"],
            "college_id": bal["college_id"], "tier": g.get("tier"), "tier_name": g.get("tier_name"),
            "title": g.get("project_title"), "status": g.get("status"), **_row(bal)}))
    return sorted(rows, key=lambda r: r["project_id"])


def college_rows(entries, college_names=None):
    """One row per college: ``{"college_id", "college_name", "projects", <COLUMNS>,
    "display"}``."""
    names = college_names or {}
    rows = [_display({"college_id": cid, "college_name": names.get(cid), "projects": t["grants"],
                      **_row(t)})
            for cid, t in totals_by(entries, "college_id").items()]
    return sorted(rows, key=lambda r: r["college_id"])


def campaign_row(entries, campaign_id):
    """The campaign's row: ``{"campaign_id", "projects", "budget_fen",
    "available_fen", <COLUMNS>, "display"}``."""
    mine = [e for e in entries if e["campaign_id"] == campaign_id]
    bal = campaign_balance(mine, campaign_id)
    totals = totals_by(mine, "campaign_id").get(campaign_id)
    row = {"campaign_id": campaign_id, "projects": totals["grants"] if totals else 0,
           "budget_fen": bal["budget_fen"], "available_fen": bal["available_fen"]}
    row.update(_row(totals) if totals else {c: 0 for c in COLUMNS})
    return _display(row, COLUMNS + ("budget_fen", "available_fen"))
