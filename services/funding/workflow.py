"""Funding operations: read the documents, let the domain decide, apply its Outcome,
publish its event.

Every function takes a :class:`Ctx` (store, applications RPC proxy, event
dispatcher), the acting person as the applications service describes them, the
validated input and ``now``. Nothing here decides a rule: the domain does
(services/funding/domain); this module only fetches what the domain needs (the
campaign's rules version, the approved application, the lead, the advisor, the
claims of a grant) and hands the result to the store (store.py) and the outbox.

Closing is closing_flow.py, reports report_flow.py.

Who sees what: a grant, its claims, attachments and ledger are visible to its lead
and advisor, its college's admins and counselors, finance and school admins
(domain/actors.py); to anybody else they do not exist (NotFound, as in the
applications service).
"""
import base64
import hashlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from core.declaration import check_declaration
from core.envelope import iso_utc
from core.errors import Conflict, NotFound, PermissionDenied, ProgramNotAvailable, field_error, invalid
from core.filestore import upload_bytes
from core.uploads import already_uploaded, upload_id
from services.funding import attachments as upload_rules
from core import idempotency
from services.funding import directory, outbox
from services.funding.domain import actors, campaigns, claims, closing, events, grants
from services.funding.domain.rules import rules_from_declaration
from services.funding.views import (
    attachment_view, campaign_view, claim_view, entry_view, grant_view, rules_view,
)


@dataclass
class Ctx:
    store: object
    apps: object          # RpcProxy("applications")
    dispatch: object      # EventDispatcher
    config: dict


def _apply(ctx, outcome):
    ctx.store.apply(outcome)
    outbox.finish(ctx.store, ctx.dispatch, outcome)
    return outcome


# -------------------------------------------------------------- rules ---

def register_program(store, declaration, now):
    """Keep a program version's funding rules (idempotent; one record per version).
    A declaration without funding rules concerns this service not: nothing is kept."""
    if not isinstance(declaration, dict):
        raise invalid([field_error("declaration", "must be an object", "必须是对象")])
    check_declaration(declaration)   # the typed contract first, then the funding rules
    version = declaration.get("version")
    if declaration.get("funding") is None:
        return {"created": False, "funding": False, "program": declaration.get("name"), "version": version}
    if not isinstance(version, str) or not 0 < len(version) <= 100:
        raise invalid([field_error("version", "a version string is required", "缺少版本号")])
    rules = rules_from_declaration(declaration)
    created = store.save_rules(rules["program"], version, rules, iso_utc(now))
    return {"created": created, "funding": True, "program": rules["program"], "version": version,
            "fingerprint": rules["fingerprint"]}


def rules_record(ctx, program, version, now):
    """The funding rules of ``program`` at ``version``. A version this service has
    not heard of yet (its registration still retrying) is fetched from the
    applications service, which stores every version, and kept."""
    record = ctx.store.get_rules(program, version)
    if record is None and version is not None:
        try:
            declaration = ctx.apps.get_program(program, version)
        except NotFound:
            declaration = None
        if declaration is not None:
            register_program(ctx.store, declaration, now)
            record = ctx.store.get_rules(program, version)
    if record is None:
        raise ProgramNotAvailable(
            f"program {program!r} (version {version}) has registered no funding rules",
            f"项目类型 {program}（版本 {version}）未登记经费规则", field="program")
    return record


def get_rules(ctx, program, version, now):
    return rules_view(rules_record(ctx, program, version, now))


def _campaign(ctx, campaign_id):
    found = ctx.store.find("campaign", campaign_id)
    if found is None:
        raise NotFound(f"funding of campaign {campaign_id!r} has not been opened",
                       f"评选活动 {campaign_id} 尚未设置经费", field="campaign_id")
    return found


def _rules_of(ctx, campaign, now):
    return rules_record(ctx, campaign["program"], campaign.get("program_version"), now)["rules"]


def _visible_grant(ctx, actor, grant_id):
    grant = ctx.store.find("grant", grant_id)
    if grant is None or not actors.can_view_grant(actor, grant):
        raise NotFound(f"No grant {grant_id!r}.", f"立项经费不存在：{grant_id}", field="grant_id")
    return grant


def _visible_claim(ctx, actor, claim_id):
    claim = ctx.store.find("claim", claim_id)
    grant = ctx.store.find("grant", claim["grant_id"]) if claim else None
    if grant is None or not actors.can_view_grant(actor, grant):
        raise NotFound(f"No claim {claim_id!r}.", f"报销申请不存在：{claim_id}", field="claim_id")
    return claim, grant


def _is_school_wide(actor):
    return actors.is_finance(actor) or actors.is_school_admin(actor)


def _hints(ctx, campaign, grant):
    """Routing hints for the notifications service (not part of the stable contract)."""
    return {"lead_user_ids": [grant["lead_id"]],
            "finance_user_ids": directory.finance_ids(ctx.apps, campaign.get("school_id"))}


def _add_hints(ctx, grant, outcome):
    """Who is told about the outcome's event: for ``claim.submitted`` the people who act
    at the step it waits for; otherwise the lead and finance."""
    if not outcome.event:
        return
    campaign = _campaign(ctx, grant["campaign_id"])
    data = outcome.event["data"]
    if outcome.event["type"] == events.CLAIM_SUBMITTED:
        data["approver_user_ids"] = directory.approver_ids(ctx.apps, grant, data["step"], campaign.get("school_id"))
    else:
        data.update(_hints(ctx, campaign, grant))


# ---------------------------------------------------------- campaigns ---

def _amount(data, name):
    return {f"{name}_fen": data.get(f"{name}_fen"), f"{name}_yuan": data.get(f"{name}_yuan")}


def open_campaign(ctx, actor, data, now):
    """Open the funding account of an applications campaign with its budget; the
    rules are those of the program version the campaign pinned."""
    camp = directory.campaign(ctx.apps, data["campaign_id"])
    record = rules_record(ctx, camp["program"], camp.get("program_version"), now)
    rules = record["rules"]
    deadlines = {k: v for k, v in (data.get("deadlines") or {}).items() if v is not None}
    request = {"id": camp["id"], **_amount(data, "budget"), "deadlines": deadlines,
               "reason": data.get("reason"), "tiers": (camp.get("settings") or {}).get("tiers")}
    outcome = campaigns.open_campaign(request, rules, actor, now)
    existing = ctx.store.find("campaign", camp["id"])
    if existing is not None:
        if (existing["budget_fen"], existing["deadlines"]) == (outcome.result["budget_fen"],
                                                               outcome.result["deadlines"]):
            return campaign_view(existing, rules)   # a retry of the same opening
        raise Conflict(f"funding of campaign {camp['id']} is open already; change its budget with "
                       "PUT /api/funding/campaigns/{id}/budget",
                       f"评选活动 {camp['id']} 已设置经费，调整预算请使用预算调整接口", field="campaign_id")
    outcome.result.update(program_version=camp.get("program_version"), title=camp.get("title"),
                          academic_year=camp.get("academic_year"), unit_id=camp.get("unit_id"),
                          school_id=(camp.get("unit_path") or [None])[0])
    _apply(ctx, outcome)
    return campaign_view(ctx.store.find("campaign", camp["id"]), rules)


_CAMPAIGN_MONEY = ("budget_fen", "budget_version", "granted_fen", "returned_fen", "available_fen", "display")


def get_campaign(ctx, actor, campaign_id, now):
    """Tiers, caps and deadlines for everyone signed in; the budget and what is
    granted of it only for finance and school admins (everything financial)."""
    actors.actor_ref(actor)
    campaign = _campaign(ctx, campaign_id)
    view = campaign_view(campaign, _rules_of(ctx, campaign, now))
    if not _is_school_wide(actor):
        for name in _CAMPAIGN_MONEY:
            view.pop(name, None)
    return view


def set_budget(ctx, actor, campaign_id, data, now):
    campaign = _campaign(ctx, campaign_id)
    outcome = campaigns.set_budget(campaign, {**_amount(data, "budget"), "reason": data.get("reason")},
                                   actor, now)
    _apply(ctx, outcome)
    return campaign_view(ctx.store.find("campaign", campaign_id), _rules_of(ctx, campaign, now))


# -------------------------------------------------------------- grants ---

def award_grant(ctx, actor, campaign_id, data, now):
    """Fund an approved application of the campaign in a tier (≤ the tier's cap,
    ≤ what is left of the budget, atomically)."""
    campaign = _campaign(ctx, campaign_id)
    rules = _rules_of(ctx, campaign, now)
    # who may award is the domain's rule; checked before asking anyone anything
    actors.require_any(actor, {}, ("school_admin", "finance"), "award a grant", "拨付立项经费")
    app = directory.application(ctx.apps, data["application_id"])
    if app.get("campaign_id") != campaign_id:
        raise invalid([field_error("application_id", f"the application belongs to another campaign, not {campaign_id}",
                                   f"该申报不属于评选活动 {campaign_id}")])
    project = directory.project_of(ctx.apps, app, data["advisor_id"])
    existing = ctx.store.find("grant", grants.grant_id_for(app["id"]))
    request = {"tier": data["tier"], **_amount(data, "amount"), "reason": data.get("reason"),
               "tier_reason": data.get("tier_reason")}
    outcome = grants.award_grant(campaign, rules, project, request, actor, now, existing)
    if outcome.event:
        outcome.event["data"].update(_hints(ctx, campaign, outcome.result))
    _apply(ctx, outcome)
    # the 立项通知书 number: unique in the (Beijing) year across campaigns, given once
    year = now.astimezone(ZoneInfo("Asia/Shanghai")).year
    return grant_view(ctx.store.number_notice(outcome.result["id"], year), rules)


def list_grants(ctx, actor, campaign_id=None):
    actors.actor_ref(actor)
    if campaign_id:
        found = ctx.store.grants_of_campaign(campaign_id)
    elif _is_school_wide(actor):
        found = ctx.store.grants_where({})
    else:
        mine = [{"lead_id": actor["id"]}, {"advisor_id": actor["id"]}]
        colleges = actors.college_ids(actor)
        if colleges:
            mine.append({"college_id": {"$in": colleges}})
        found = ctx.store.grants_where({"$or": mine})
    return [grant_view(g) for g in found if actors.can_view_grant(actor, g)]


def get_grant(ctx, actor, grant_id, now):
    grant = _visible_grant(ctx, actor, grant_id)
    rules = _rules_of(ctx, _campaign(ctx, grant["campaign_id"]), now)
    view = grant_view(grant, rules)
    view["attachments"] = [attachment_view(a) for a in ctx.store.list_attachments(grant_id)]
    view["actions"] = closing.grant_actions(rules, grant, actor)
    return view


def grant_ledger(ctx, actor, grant_id):
    _visible_grant(ctx, actor, grant_id)
    return [entry_view(e) for e in ctx.store.ledger_entries(grant_id=grant_id)]


def campaign_ledger(ctx, actor, campaign_id):
    if not _is_school_wide(actor):
        raise PermissionDenied("only finance or a school administrator may read a campaign's ledger",
                               "只有财务处或学校管理员可以查看批次经费台账")
    _campaign(ctx, campaign_id)
    return [entry_view(e) for e in ctx.store.ledger_entries(campaign_id=campaign_id)]


# --------------------------------------------------------- attachments ---

def add_attachment(ctx, actor, grant_id, kind, filename, data_b64, max_bytes, now, idempotency_key=None):
    """Store one upload. A retry (same Idempotency-Key, or the same bytes for the same
    kind) returns the attachment stored first, also when the kind is full."""
    grant = _visible_grant(ctx, actor, grant_id)
    rules = _rules_of(ctx, _campaign(ctx, grant["campaign_id"]), now)
    data = upload_bytes(data_b64, ctx.store.files)   # a file store reference, or base64 from older callers
    existing = ctx.store.list_attachments(grant_id, kind) if isinstance(kind, str) else []
    digest = hashlib.sha256(data).hexdigest()
    attachment_id = upload_id("fatt", grant_id, kind, digest, idempotency_key)
    retried = already_uploaded(existing, attachment_id, kind, digest)
    if retried is not None:
        upload_rules.check_uploader(grant, actor, kind)
        return attachment_view(retried)
    meta, spec = upload_rules.check(rules, grant, actor, kind, filename, data, max_bytes, existing)
    meta["uploaded_by"] = actors.actor_ref(actor)
    stored = ctx.store.add_attachment(grant, meta, data, spec["max_count"], iso_utc(now), attachment_id)
    if stored is None:
        raise upload_rules.full(spec)
    return attachment_view(stored)


def get_attachment(ctx, actor, grant_id, attachment_id):
    _visible_grant(ctx, actor, grant_id)
    doc = ctx.store.get_attachment(grant_id, attachment_id, with_data=True)
    view = attachment_view(doc)
    if doc.get("file_id"):
        view["file_id"] = doc["file_id"]   # the bytes stay in the file store (core/filestore.py)
    else:
        view["data_b64"] = base64.b64encode(bytes(doc["data"])).decode("ascii")
    return view


def _check_receipts(ctx, grant, receipts, claim_id):
    """Every receipt is a receipt uploaded to this grant, and none is already in
    another live claim (an invoice is reimbursed once). Checked when filing, by
    reading: two claims filed at the same instant with the same receipt could both
    pass (the money limits, unlike this, are enforced atomically)."""
    found = ctx.store.attachments_by_id(grant["id"], receipts)
    unknown = [r for r in receipts if r not in found or found[r]["kind"] != "receipt"]
    if unknown:
        raise invalid([field_error("receipts", f"not receipts of this project: {', '.join(unknown)}; "
                                               "upload them with kind=receipt first",
                                   f"以下编号不是本项目的报销凭证：{'、'.join(unknown)}，请先以 receipt 类别上传")])
    used = ctx.store.claims_using_receipts(receipts, except_claim=claim_id)
    if used:
        twice = sorted(set(receipts) & {r for c in used for r in c["receipts"]})
        raise Conflict(f"receipts already in another claim: {', '.join(twice)}",
                       f"以下报销凭证已用于其他报销申请：{'、'.join(twice)}", field="receipts",
                       details={"receipts": twice, "claims": sorted(c["id"] for c in used)})


# -------------------------------------------------------------- claims ---

def file_claim(ctx, actor, grant_id, data, key, now):
    grant = _visible_grant(ctx, actor, grant_id)
    campaign = _campaign(ctx, grant["campaign_id"])
    rules = _rules_of(ctx, campaign, now)
    claim_id = idempotency.derived_id("clm", grant_id, actor["id"], key)
    existing = ctx.store.find("claim", claim_id)
    outcome = claims.file_claim(grant, rules, campaign, claim_id, data, actor, now, existing)
    if not outcome.replay:
        _check_receipts(ctx, grant, outcome.result["receipts"], claim_id)
        _add_hints(ctx, grant, outcome)
    _apply(ctx, outcome)
    return claim_view(ctx.store.find("claim", claim_id), ctx.store.find("grant", grant_id), actor)


_STEPS = {"approve": claims.approve_claim, "return": claims.return_claim, "reject": claims.reject_claim,
          "withdraw": claims.withdraw_claim, "pay": claims.pay_claim}


def act_on_claim(ctx, actor, claim_id, data, key, now):
    """approve / return / reject at the current step, withdraw (lead), pay (finance)."""
    claim, grant = _visible_claim(ctx, actor, claim_id)
    request_id = idempotency.digest(actor["id"], claim_id, key)
    extra = {"payment_reference": data.get("payment_reference")} if data["action"] == "pay" else {}
    outcome = _STEPS[data["action"]](claim, grant, actor, now, data.get("reason"), request_id=request_id, **extra)
    _add_hints(ctx, grant, outcome)
    _apply(ctx, outcome)
    return claim_view(ctx.store.find("claim", claim_id), ctx.store.find("grant", grant["id"]), actor)


def resubmit_claim(ctx, actor, claim_id, data, key, now):
    claim, grant = _visible_claim(ctx, actor, claim_id)
    campaign = _campaign(ctx, grant["campaign_id"])
    rules = _rules_of(ctx, campaign, now)
    request_id = idempotency.digest(actor["id"], claim_id, key)
    outcome = claims.resubmit_claim(claim, grant, rules, campaign, data, actor, now, request_id=request_id)
    if not outcome.replay:
        _check_receipts(ctx, grant, outcome.result["receipts"], claim_id)
        _add_hints(ctx, grant, outcome)
    _apply(ctx, outcome)
    return claim_view(ctx.store.find("claim", claim_id), ctx.store.find("grant", grant["id"]), actor)


def with_receipt_files(ctx, views):
    """Each claim view with ``receipt_files`` (filename, type, size of every receipt it
    names), read in one query for the whole list, so approvers and finance see the
    receipts of every claim they act on."""
    found = ctx.store.attachments_anywhere([r for v in views for r in v.get("receipts", [])])
    for view in views:
        view["receipt_files"] = [attachment_view(found[r]) for r in view.get("receipts", [])
                                 if r in found and found[r]["grant_id"] == view["grant_id"]]
    return views


def get_claim(ctx, actor, claim_id):
    claim, grant = _visible_claim(ctx, actor, claim_id)
    return with_receipt_files(ctx, [claim_view(claim, grant, actor)])[0]


def list_claims(ctx, actor, grant_id):
    grant = _visible_grant(ctx, actor, grant_id)
    return with_receipt_files(ctx, [claim_view(c, grant, actor) for c in ctx.store.claims_of(grant_id)])


def campaign_claims(ctx, actor, campaign_id):
    """Every claim of the campaign's grants the person may see, oldest first: one
    query of the claims and one of the grants, however many projects (the workbook)."""
    actors.actor_ref(actor)
    visible = {g["id"]: g for g in ctx.store.grants_of_campaign(campaign_id) if actors.can_view_grant(actor, g)}
    return [claim_view(c, visible[c["grant_id"]], actor)
            for c in ctx.store.claims_where({"campaign_id": campaign_id}, limit=50000) if c["grant_id"] in visible]


def pending_approvals(ctx, actor):
    """Claims waiting for this person's step (approve / return / reject) or, for
    finance, for payment; oldest first."""
    actors.actor_ref(actor)
    live = {"status": {"$nin": ["paid", "rejected", "withdrawn", "returned"]}}
    if not _is_school_wide(actor):
        reach = [{"grant_id": {"$in": [g["id"] for g in ctx.store.grants_where({"advisor_id": actor["id"]})]}}]
        colleges = actors.college_ids(actor)
        if colleges:
            reach.append({"college_id": {"$in": colleges}})
        live = {**live, "$or": reach}
    out, grants_by_id = [], {}
    for claim in ctx.store.claims_where(live):
        grant = grants_by_id.get(claim["grant_id"]) or ctx.store.find("grant", claim["grant_id"])
        grants_by_id[claim["grant_id"]] = grant
        acts = [a for a in claims.can_act(claim, grant, actor) if a in ("approve", "pay")]
        if acts:
            out.append(claim_view(claim, grant, actor))
    return with_receipt_files(ctx, out)
