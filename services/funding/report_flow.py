"""Funding reports (经费报表) derived from the ledger: the campaign's row (finance,
school admins), a row per college (a college sees its own), a row per project the
person may see; plus whether the guard counters agree with the ledger."""
from core.errors import PermissionDenied, field_error, invalid
from services.funding import directory
from services.funding.domain import actors, ledger, reports
from services.funding.workflow import _campaign, _is_school_wide


def _ledger_consistent(ctx, campaign, grant_docs, entries):
    """The counters the guards use agree with the ledger (the source of truth)."""
    bal = ledger.campaign_balance(entries, campaign["id"])
    if (bal["budget_fen"], bal["granted_fen"], bal["returned_fen"]) != (
            campaign["budget_fen"], campaign["granted_fen"], campaign["returned_fen"]):
        return False
    for g in grant_docs:
        gb = ledger.grant_balance(entries, g["id"])
        if any(gb[c] != g[c] for c in ledger.GRANT_COUNTERS):
            return False
    return True


def report(ctx, actor, campaign_id, level):
    """``campaign``: one row (finance, school admin); ``college``: a row per college
    (a college's admins and counselors see their own); ``project``: a row per
    project the person may see (lead, advisor, college, finance, school admin)."""
    actors.actor_ref(actor)
    campaign = _campaign(ctx, campaign_id)
    entries = ctx.store.ledger_entries(campaign_id=campaign_id)
    grant_docs = ctx.store.grants_of_campaign(campaign_id)
    if level == "campaign":
        if not _is_school_wide(actor):
            raise PermissionDenied("only finance or a school administrator may read the campaign report",
                                   "只有财务处或学校管理员可以查看批次经费报表")
        row = reports.campaign_row(entries, campaign_id)
        row["ledger_consistent"] = _ledger_consistent(ctx, campaign, grant_docs, entries)
        return row
    if level == "college":
        allowed = None if _is_school_wide(actor) else set(actors.college_ids(actor))
        if allowed is not None and not allowed:
            raise PermissionDenied("only a college's administrators and counselors, finance or a school "
                                   "administrator may read college reports",
                                   "只有学院管理员、辅导员、财务处或学校管理员可以查看学院经费报表")
        colleges = sorted({e["college_id"] for e in entries if e.get("college_id")})
        if allowed is not None:
            colleges = [c for c in colleges if c in allowed]
        rows = reports.college_rows(entries, directory.college_names(ctx.apps, colleges))
        return [r for r in rows if r["college_id"] in colleges]
    if level == "project":
        visible = {g["id"] for g in grant_docs if actors.can_view_grant(actor, g)}
        return [r for r in reports.project_rows(entries, grant_docs) if r["grant_id"] in visible]
    raise invalid([field_error("level", "must be campaign, college or project",
                               "须为 campaign、college 或 project")])

