"""Documents as the requesting person may see them: each function reads over RPC as
`actor_id` (the services decide visibility) and returns (bytes, filename, mimetype).
Both the REST API and the web pages serve these."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from core.errors import ChuangxianError, Conflict, NotFound
from core import excel
from gateway.documents import certificate, word

XLSX = excel.XLSX
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


def _college_names(cluster, actor_id):
    return {u["id"]: u["name"] for u in cluster.applications.list_units(actor_id, "college", None)}


def campaign_summary(cluster, actor_id, campaign_id):
    campaign = cluster.applications.get_campaign(actor_id, campaign_id)
    apps, after = [], None
    while True:
        query = {"campaign_id": campaign_id, "limit": 500, **({"after": after} if after else {})}
        page = cluster.applications.list_applications(actor_id, query)
        apps += [a for a in page if a.get("state") != "draft"]
        if len(page) < 500:
            break
        after = page[-1]["id"]
    apps.sort(key=lambda a: (a.get("college_id") or "", a.get("submitted_at") or ""))
    data = excel.application_summary(campaign, apps, _college_names(cluster, actor_id))
    return data, f"{campaign['title']}-申报汇总表.xlsx", XLSX


def campaign_ranking(cluster, actor_id, campaign_id):
    campaign = cluster.applications.get_campaign(actor_id, campaign_id)
    published = cluster.scoring.published_results(actor_id, campaign_id)
    if not published:
        raise Conflict("No results have been published for this campaign yet.", "本次活动尚未发布评审结果",
                       field="campaign_id")
    return excel.ranking(campaign, published), f"{campaign['title']}-评审结果.xlsx", XLSX


def campaign_grants(cluster, actor_id, campaign_id):
    campaign = cluster.applications.get_campaign(actor_id, campaign_id)
    grants = cluster.funding.list_grants(actor_id, campaign_id)
    claims = {}
    for claim in cluster.funding.campaign_claims(actor_id, campaign_id):   # one call, not one per project
        claims.setdefault(claim["grant_id"], []).append(claim)
    return excel.grants_and_claims(campaign["title"], grants, claims), f"{campaign['title']}-立项经费与报销.xlsx", XLSX


def application_form(cluster, actor_id, application_id, kind="application"):
    app = cluster.applications.get_application(actor_id, application_id)
    campaign = cluster.applications.get_campaign(actor_id, app["campaign_id"])
    program = cluster.applications.get_program(app["program"], app["program_version"])
    trail = cluster.applications.audit_trail(actor_id, application_id)
    unit = _college_names(cluster, actor_id).get(app.get("college_id"), "")
    label = "考核审批表" if kind == "approval" else "申请表"
    return (word.application_form(campaign, program, app, kind, trail=trail, unit_name=unit),
            f"{app['applicant_name']}-{label}.docx", DOCX)


def _school_name(cluster, actor_id, campaign):
    """The name of the school the campaign belongs to (the first unit of its path)."""
    school_id = (campaign.get("unit_path") or [campaign.get("unit_id")])[0]
    if school_id == campaign.get("unit_id"):
        return campaign.get("unit_name") or ""
    for unit in cluster.applications.list_units(actor_id, "school", None):
        if unit["id"] == school_id:
            return unit["name"]
    return ""


def award_certificate(cluster, actor_id, award):
    """The certificate of one award, as listed by `applications.list_awards`
    ({"id": "award:<application_id>:<code>", "campaign_id", "academic_year",
    "recipient_name", "title", "granted_at", ...}), signed with the campaign's school
    and dated the day it was granted (Beijing time), so downloading it again gives
    the same certificate."""
    if not award:
        raise NotFound("No such award.", "荣誉不存在", field="award_id")
    campaign = cluster.applications.get_campaign(actor_id, award["campaign_id"])
    granted = award.get("granted_at")
    day = datetime.fromisoformat(str(granted).replace("Z", "+00:00")) if granted else datetime.now(timezone.utc)
    day = day.astimezone(ZoneInfo("Asia/Shanghai"))
    settings = _document_settings()
    if award.get("certificate_seq"):   # numbered when granted, unique in its year across campaigns
        number = certificate.certificate_number(settings.get("CERTIFICATE_PREFIX") or "创先",
                                                award["certificate_year"], award["certificate_seq"])
    else:   # granted before awards were numbered: its place in its campaign
        number = certificate.certificate_number(settings.get("CERTIFICATE_PREFIX") or "创先", day.year,
                                                _sequence(cluster, actor_id, award))
    data = certificate.certificate(award, _school_name(cluster, actor_id, campaign), f"{day.year}年{day.month}月{day.day}日",
                                   number=number, issuer=settings.get("ISSUER") or "")
    return data, f"荣誉证书-{award.get('recipient_name', '')}.pdf", PDF


def _document_settings():
    """DOCUMENTS in the configuration (issuer, certificate prefix)."""
    from flask import current_app
    return current_app.config["CX"].get("DOCUMENTS") or {}


def _sequence(cluster, actor_id, award):
    """The award's place among its campaign's awards, in rank order (then name): the
    same number whoever downloads it, once the final list is fixed."""
    awards = cluster.applications.list_awards(actor_id, award["campaign_id"])
    ordered = sorted(awards, key=lambda a: (a.get("rank") is None, a.get("rank") or 0,
                                            a.get("recipient_name") or "", a.get("id") or ""))
    for index, other in enumerate(ordered, start=1):
        if other.get("id") == award.get("id"):
            return index
    return len(ordered) + 1


def grant_notice(cluster, actor_id, grant_id):
    """立项通知书 of one funded project, as `actor_id` may see the grant; numbered
    like certificates (创先〔2026〕立字003号), with the number the grant was given when
    awarded (unique in its year)."""
    grant = cluster.funding.get_grant(actor_id, grant_id)
    campaign = cluster.applications.get_campaign(actor_id, grant["campaign_id"])
    settings = _document_settings()
    if grant.get("notice_seq"):   # numbered when awarded, unique in its year across campaigns
        year, position = grant["notice_year"], grant["notice_seq"]
    else:   # awarded before grants were numbered: its place in its campaign
        grants = sorted(cluster.funding.list_grants(actor_id, grant["campaign_id"]),
                        key=lambda g: (g.get("awarded_at") or "", g.get("id") or ""))
        position = next((i for i, g in enumerate(grants, start=1) if g.get("id") == grant["id"]), len(grants) + 1)
        awarded = grant.get("awarded_at")
        year = datetime.fromisoformat(str(awarded).replace("Z", "+00:00")).astimezone(ZoneInfo("Asia/Shanghai")).year \
            if awarded else datetime.now(timezone.utc).year
    number = certificate.certificate_number(f"{settings.get('CERTIFICATE_PREFIX') or '创先'}", year, position) \
        .replace("〕", "〕立字")
    unit = _college_names(cluster, actor_id).get(grant.get("college_id"), "")
    try:
        deadlines = {k: str(v).replace(" (Asia/Shanghai)", "") for k, v in
                     ((cluster.funding.get_campaign(actor_id, grant["campaign_id"]) or {}).get("deadlines_local")
                      or {}).items()}
    except ChuangxianError:  # the lead may not read the funding campaign: the letter says it generally
        deadlines = None
    data = word.project_notice(grant, campaign, unit, settings.get("ISSUER") or "",
                               _school_name(cluster, actor_id, campaign), number, deadlines)
    return data, f"立项通知书-{grant.get('project_title') or ''}.docx", DOCX
