"""The 立项经费与报销 workbook as a background job (`core.jobs`): the campaign's grants
and their claims as the person who asked may see them (one read of each, however
many projects), laid out by `core.excel`; the file is kept with the job and its
result links to it."""
from core import excel
from core.envelope import utc_now
from core.off_hub import off_hub
from services.funding import workflow

EXPORT_GRANTS = "export_grants"


def export_grants(run, service):
    """{"rows": grants, "claims": claims, "file"}."""
    ctx, actor, campaign_id = service._ctx, service._actor(run.actor_id), run.params["campaign_id"]
    campaign = workflow.get_campaign(ctx, actor, campaign_id, utc_now())
    grants = workflow.list_grants(ctx, actor, campaign_id)
    run.progress(0, 1, force=True)
    claims = {}
    for claim in workflow.campaign_claims(ctx, actor, campaign_id):
        claims.setdefault(claim["grant_id"], []).append(claim)
    data = off_hub(excel.grants_and_claims, campaign["title"], grants, claims)   # pure work: off the hub
    link = service.store.jobs.put_file(run.id, f"{campaign['title']}-立项经费与报销.xlsx", excel.XLSX, data)
    return {"rows": len(grants), "claims": sum(len(c) for c in claims.values()), "file": link}


HANDLERS = {EXPORT_GRANTS: export_grants}
