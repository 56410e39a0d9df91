"""The funding pages of a campaign on the real gateway and services: from 项目经费 and
the campaign admin page the school admin reaches 立项与经费, sets the budget, sees the
final list with each project's tier proposed from its grade and its advisor picked
from the directory, is told per row what is wrong (a changed tier without a reason),
awards by one background job, and sees the budget left; the project page then walks
closing: the lead uploads the materials, the admin returns them with a reason, passes
them and closes, the page saying the next step each time."""
import io
import re

import pytest

from tests.integration.helpers import PDF, another_pdf, as_job
from tests.integration.lifecycle_helpers import college_approved_campaign, end_period, publish_results, wait
from tests.integration.web.test_admin_and_notice_pages import client_of, nonce_of, text


@pytest.fixture
def extra_services():
    from services.funding.service import FundingService
    from services.scoring.service import ScoringService   # the campaign admin page asks it
    return [ScoringService, FundingService]


@pytest.fixture
def final_list(rpc, http, config, mongo):
    """branch_me1 graded key (重点) on the final list of a pilot campaign: (campaign_id, application_id)."""
    campaign, apps = college_approved_campaign(rpc, ["branch_me1"])
    publish_results(config, mongo, campaign["id"], [(apps["branch_me1"], "key", "重点", 90.0)], [])
    notice = http.as_("admin", "POST", f"/api/campaigns/{campaign['id']}/notice", json={}).json
    end_period(mongo, notice["id"])
    assert as_job(http, "admin", "POST", f"/api/notices/{notice['id']}/finalise").status_code == 200
    return campaign["id"], apps["branch_me1"]


def test_budget_awards_and_closing_through_the_pages(rpc, gateway_app, final_list):
    cid, app_id = final_list
    admin, csrf = client_of(gateway_app, "admin")
    funding_url = f"/admin/campaigns/{cid}/funding"
    assert funding_url in text(admin.get("/projects"))
    assert funding_url in text(admin.get(f"/admin/campaigns/{cid}"))
    lead, lead_csrf = client_of(gateway_app, "2023010101")
    assert lead.get(funding_url).status_code == 403

    page = text(admin.get(funding_url))
    assert "尚未设置本批次的经费预算" in page
    set_budget = admin.post(f"{funding_url}/budget", data={"csrf_token": csrf, "nonce": nonce_of(page),
                                                           "budget_yuan": "6000"})
    assert set_budget.status_code == 302
    page = text(admin.get(set_budget.headers["Location"]))
    assert "经费预算已保存：¥6,000.00" in page and 'id="budget-left">¥6,000.00' in page
    # The proposed tier is the grade; the amount the planned budget (under the cap); the advisor
    # the one the application names, chosen from the directory's advisors (no ids shown).
    assert re.search(r'<option value="key" selected>重点（≤ ¥5,000.00） · 建议</option>', page)
    assert 'name="amount0" inputmode="decimal" value="2800.00"' in page
    assert re.search(r'<option value="p_advisor_me" selected>陈老师', page)
    assert "p_advisor_me" not in re.sub(r'value="[^"]*"', "", page)

    form = {"csrf_token": csrf, "nonce": nonce_of(page), "rows": "1", "award0": "1", "app0": app_id,
            "tier0": "featured", "amount0": "2800", "advisor0": "p_advisor_me"}
    refused = admin.post(f"{funding_url}/awards", data=form)
    assert refused.status_code == 422 and "评审结果建议为重点项目，改为特色须填写理由" in text(refused)
    assert 'aria-invalid="true" aria-describedby="reason0-e"' in text(refused)
    assert rpc.funding.list_grants("p_admin", cid) == []
    started = admin.post(f"{funding_url}/awards", data=dict(form, reason0="示范性强，改为特色项目"))
    assert started.status_code == 302 and "job=funding." in started.headers["Location"]
    assert wait(lambda: len(rpc.funding.list_grants("p_admin", cid)) == 1, 30)
    [grant] = rpc.funding.list_grants("p_admin", cid)
    assert (grant["tier"], grant["tier_reason"], grant["advisor_name"]) == ("featured", "示范性强，改为特色项目", "陈老师")
    page = text(admin.get(started.headers["Location"]))
    assert "已开始立项" in page and "已立项" in page and 'id="budget-left">¥3,200.00' in page

    # Closing on the project page: what is missing, then each step.
    project = f"/projects/{grant['id']}"
    page = text(lead.get(project))
    assert "上传结项材料（尚缺：结题报告、工作案例、公众号文章链接）" in page and "实施中" in page
    for kind in ("closing_report", "work_case"):
        done = lead.post(f"{project}/materials", content_type="multipart/form-data", data={
            "csrf_token": lead_csrf, "nonce": nonce_of(page), "kind": kind, "file": (io.BytesIO(another_pdf()), f"{kind}.pdf")})
        assert done.status_code == 302, text(done)[:2000]
        page = text(lead.get(project))
    bad_link = lead.post(f"{project}/materials", data={"csrf_token": lead_csrf, "kind": "article_link", "url": "mp.weixin"})
    assert bad_link.status_code == 422 and "http(s)" in text(bad_link)
    assert lead.post(f"{project}/materials", data={"csrf_token": lead_csrf, "kind": "article_link",
                                                   "url": "https://mp.weixin.qq.com/s/pilot"}).status_code == 302
    page = text(lead.get(project))
    assert "活动管理员审核结项材料" in page and "review_materials" not in page and "审核通过" not in page

    page = text(admin.get(project))
    no_reason = admin.post(f"{project}/review", data={"csrf_token": csrf, "nonce": nonce_of(page), "decision": "return"})
    assert no_reason.status_code == 422 and "请填写原因" in text(no_reason)
    assert admin.post(f"{project}/review", data={"csrf_token": csrf, "nonce": nonce_of(page), "decision": "return",
                                                 "reason": "工作案例请补充成效数据"}).status_code == 302
    page = text(lead.get(project))
    assert "结项材料被退回，请按审核意见修改后重新提交：工作案例请补充成效数据" in page
    assert lead.post(f"{project}/materials", content_type="multipart/form-data", data={
        "csrf_token": lead_csrf, "nonce": nonce_of(page), "kind": "work_case",
        "file": (io.BytesIO(PDF), "工作案例（修改稿）.pdf")}).status_code == 302
    page = text(admin.get(project))
    assert admin.post(f"{project}/review", data={"csrf_token": csrf, "nonce": nonce_of(page),
                                                 "decision": "pass"}).status_code == 302
    page = text(admin.get(project))
    assert "由活动管理员办理结项" in page and "data-confirm=\"办理结项后项目不能再报销" in page
    closed = admin.post(f"{project}/close", data={"csrf_token": csrf, "nonce": nonce_of(page)})
    assert closed.status_code == 302
    page = text(lead.get(closed.headers["Location"]))
    assert "已办理结项" in page and "已结项（" in page and "提交报销申请" not in page
    assert rpc.funding.get_grant("p_admin", grant["id"])["status"] == "closed"
