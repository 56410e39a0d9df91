"""The whole flow in a real browser, on the demo platform: a branch secretary applies
and submits, the counselor returns it with a reason, the secretary fixes and
resubmits, the counselor approves, the reviewer scores (one reviewer per
application, set on the admin page), the admin publishes the results and the
notice, a student objects, the admin answers and finalises, the winner downloads the
certificate; then the 对标争先 project runs to 结项 with funding, every step from the
menu: the admin sets the budget and awards the grant (tier proposed from the grade,
the advisor picked from the directory), the lead files a claim with a receipt, the
advisor, the college and finance each see the receipt and approve, finance pays with
the payment reference (凭证号), the lead uploads the closing materials, the admin
passes them and closes the project.

Every page visited passes axe-core (WCAG 2 A/AA) and is shot at desktop and phone
widths (test-artifacts/screenshots/flow-*.png). The one test-only override: the
notice period is ended by writing its times into the past in the platform's
database (finalising is refused inside the period, which lasts at least a day)."""
import io
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse

import pypdf
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from pymongo import MongoClient

from tests.browser.conftest import check_widths, job_ended, login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BRANCH = "机电学院学生第一党支部"


def check(page, name):
    check_widths(page, f"flow-{name}")


def fill_application(page, budget):
    page.select_option("#f-theme", "先锋领航·校园善治")
    page.fill("#f-title", "先锋领航进宿舍")
    page.select_option("#f-lead_role", "secretary")
    page.fill("#f-goals", "建设学习型、服务型党支部，带动宿舍文明建设。")
    page.fill("#f-measures", "每月开展一次主题党日，党员联系寝室，开展志愿服务。")
    page.fill("#f-expected_outcomes", "形成可推广的工作案例一篇，文明寝室覆盖率提升。")
    page.fill("#f-planned_budget_yuan", budget)
    page.fill("#f-faculty_advisor-name", "陈老师")
    page.fill("#f-faculty_advisor-phone", "13800000000")


# The demo reviewers with no conflict with the demo branch (deploy/demo_data.py, demo_people.py).
REVIEWER_LOGINS = {"冯教授": "reviewer", "唐教授": "reviewer2", "韩研究员": "reviewer3"}


def click(page, role, name, exact=False):
    """Click a link or a form's button and wait for the page it leads to."""
    target = page.get_by_role(role, name=name, exact=exact).first
    try:
        with page.expect_navigation(timeout=10000):
            target.click()
    except PlaywrightTimeout:
        # Headless Chromium's PDF viewer, when a preview frame above took the focus, may
        # swallow the first click (see `confirm`): say so, then click once more.
        print("click: no new page after the first click on", name, page.url)
        with page.expect_navigation():
            target.click()
    page.wait_for_load_state()


def confirm(page, role, name, says, exact=False):
    """Click a button that cannot be undone: the dialog says what will happen
    (`says`), then OK leads to the next page."""
    button = page.get_by_role(role, name=name, exact=exact).first
    button.click()
    dialog = page.locator("dialog.confirm[open]")
    try:
        dialog.wait_for(timeout=5000)
    except Exception:
        # Headless Chromium sometimes swallows the first click on a page whose PDF preview
        # frame is still loading its viewer: say so, then click once more.
        print("confirm: no dialog after the first click on", name, page.url,
              page.evaluate("() => [document.activeElement && document.activeElement.outerHTML.slice(0, 120), "
                            "document.querySelectorAll('dialog').length]"))
        button.click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(says)
    with page.expect_navigation():
        dialog.locator(".confirm-ok").click()
    page.wait_for_load_state()


def end_notice_period(mongo_uri, campaign_id):
    """Move the current notice version's period into the past (whole-document
    replace, as the service writes times)."""
    client = MongoClient(mongo_uri, tz_aware=True)
    try:
        notices = client["cx_applications"].notices
        doc = max(notices.find({"campaign_id": campaign_id}), key=lambda d: d["version"])
        past = datetime.now(timezone.utc) - timedelta(seconds=1)
        doc.update(opens_at=past - timedelta(days=doc["days"]), closes_at=past)
        assert notices.replace_one({"_id": doc["_id"]}, doc).modified_count == 1
    finally:
        client.close()


@pytest.mark.timeout(360)   # the whole cycle, funding and closing included: a few minutes on a busy machine
def test_apply_review_select_notice_object_finalise_certificate_fund_claim_and_close(new_page, mongo_uri):
    # -- the secretary applies and submits ------------------------------------------------
    student = new_page()
    login(student, "2023010101")
    click(student, "link", "对标争先建设项目申报")
    campaign_id = student.url.rstrip("/").rsplit("/", 1)[1]
    check(student, "campaign")
    click(student, "button", "申报", exact=True)
    app_url = student.url
    fill_application(student, "2800.00")
    click(student, "button", "保存草稿")
    student.select_option("#att-kind", "application_form")
    student.set_input_files("#att-file", files=[{"name": "申请表.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    student.get_by_role("button", name="保存并上传").click()  # an XHR with a progress bar, then the new page
    expect(student.locator("a:has-text('申请表.pdf')")).to_be_visible()
    check(student, "application-draft")
    confirm(student, "button", "保存并提交", "学院审核")
    expect(student.get_by_role("status")).to_have_text("已提交，等待学院审核")

    # -- the counselor returns it with a reason ------------------------------------------------
    counselor = new_page()
    login(counselor, "counselor_me")
    counselor.goto("/review")
    check(counselor, "review-queue")
    counselor.get_by_label(f"选择 {BRANCH}").check()
    counselor.fill("#bulk-reason", "预算明细不清楚，请细化到每项活动。")
    confirm(counselor, "button", "退回所选", "退回申报人")
    expect(counselor.get_by_role("status")).to_contain_text("已退回 1 份申报")

    # -- the secretary reads the reason, fixes and resubmits -----------------------------------
    student.goto(app_url)
    expect(student.get_by_text("预算明细不清楚，请细化到每项活动。").first).to_be_visible()
    check(student, "application-returned")
    student.fill("#f-planned_budget_yuan", "2500.00")
    confirm(student, "button", "保存并提交", "学院审核")
    expect(student.get_by_role("status")).to_have_text("已提交，等待学院审核")

    # -- the counselor approves ---------------------------------------------------------------------
    counselor.goto("/review")
    counselor.get_by_label(f"选择 {BRANCH}").check()
    confirm(counselor, "button", "审核通过所选", "学校评审")
    expect(counselor.get_by_role("status")).to_contain_text("已审核通过 1 份申报")

    # -- the admin sets one reviewer per application and assigns ----------------------------------
    admin = new_page()
    login(admin, "admin")
    admin.goto("/admin/campaigns")
    check(admin, "admin-campaigns")
    admin.goto(f"/admin/campaigns/{campaign_id}")
    admin.fill("#k", "1")
    click(admin, "button", "保存设置")
    click(admin, "button", "自动分配评审专家")
    # Assignment is a background job: the page reloads itself when it ends (static/jobs.js).
    # The demo pool has several conflict-free reviewers: the one the assignment chose scores.
    assigned = admin.locator("section[aria-labelledby=assignments] tbody tr td:nth-child(2)").first
    expect(assigned).to_be_visible(timeout=60000)
    job_ended(admin)
    reviewer_login = REVIEWER_LOGINS[assigned.inner_text().strip()]
    check(admin, "admin-campaign-assigned")

    # -- the reviewer scores ---------------------------------------------------------------------------
    reviewer = new_page()
    login(reviewer, reviewer_login)
    reviewer.goto("/reviews")
    check(reviewer, "my-reviews")
    # (other browser tests of the session may have given this reviewer other programs' sheets)
    reviewer.locator("tr", has_text="对标争先建设项目").locator("a").first.click()
    reviewer.wait_for_load_state()
    sheet_path = urlparse(reviewer.url).path
    # Blind review: the project's form, labelled, without the applicant's name.
    expect(reviewer.get_by_text("先锋领航进宿舍")).to_be_visible()
    expect(reviewer.get_by_text("项目名称")).to_be_visible()
    assert BRANCH not in reviewer.content()
    for box in reviewer.locator("input[type=number]").all():
        box.fill("9")
    check(reviewer, "score-sheet")
    confirm(reviewer, "button", "提交", "锁定", exact=True)
    # Submitting leads to the reviewer's next open sheet or, with none left, the list:
    # other browser tests of the session may have given this reviewer other sheets.
    expect(reviewer.get_by_role("status")).to_contain_text("评分已提交并锁定")
    reviewer.goto("/reviews")
    expect(reviewer.locator(f"tr:has(a[href='{sheet_path}'])")).to_contain_text("已提交（锁定）")

    # -- the admin previews the ranking with its cut line and publishes ------------------------------
    admin.goto(f"/admin/campaigns/{campaign_id}")
    expect(admin.locator("tr.cut-line")).to_be_visible()
    check(admin, "admin-results-preview")
    # Applications are still open: publishing closes them first, after the dialog says so.
    confirm(admin, "button", "截止申报并发布", "截止")
    expect(admin.get_by_role("status")).to_contain_text("已发布评审结果（第 1 轮）")
    expect(admin.locator(".badge.phase-applying")).to_have_count(0)     # closed first
    expect(admin.get_by_text("已发布的结果").first).to_be_visible()

    # -- ... and opens the public notice (once the applications service recorded the results) -------
    admin.goto(f"/admin/campaigns/{campaign_id}/notice")
    for _attempt in range(20):
        confirm(admin, "button", "发布公示", "异议")   # from now for the program's notice days (prefilled)
        if admin.locator("#objections").count():
            break
        admin.wait_for_timeout(500)
        admin.goto(f"/admin/campaigns/{campaign_id}/notice")
    expect(admin.get_by_text("公示中").first).to_be_visible()
    expect(admin.get_by_role("status")).to_contain_text("已发布公示，至 ")

    # -- a student in scope objects ----------------------------------------------------------------------
    objector = new_page("phone")
    login(objector, "2023010102")
    objector.goto("/notices")
    check(objector, "notices")
    objector.get_by_role("link", name="对标争先建设项目申报").first.click()
    objector.wait_for_load_state()
    assert objector.locator(".countdown").inner_text().strip() != ""
    check(objector, "notice")
    objector.fill("#o-reason", "该支部三月份活动记录与实际不符。")
    objector.set_input_files("#o-evidence", files=[{"name": "证明.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    click(objector, "button", "提出异议")
    expect(objector.get_by_role("status")).to_have_text("异议已提交")
    expect(objector.get_by_text("等待处理")).to_be_visible()
    check(objector, "notice-objected")

    # -- the admin answers and finalises after the period ------------------------------------------------
    admin.goto(f"/admin/campaigns/{campaign_id}/notice")
    expect(admin.get_by_text("该支部三月份活动记录与实际不符。")).to_be_visible()
    check(admin, "admin-notice-objection")
    admin.get_by_label("答复（必填，异议人可见）").fill("经核实，该支部三月份活动记录真实有效，异议不成立。")
    # No outcome is chosen for the admin: the dialog asks for one first.
    admin.get_by_role("button", name="处理").first.click()
    expect(admin.locator("dialog.confirm[open]")).to_contain_text("请先选择")
    admin.locator("dialog.confirm[open] .confirm-ok").click()
    admin.get_by_label("异议不成立").check()
    confirm(admin, "button", "处理", "不能更改")
    end_notice_period(mongo_uri, campaign_id)
    admin.goto(f"/admin/campaigns/{campaign_id}/notice")
    confirm(admin, "button", "确定正式名单", "不能撤销")
    expect(admin.get_by_text("定稿时间")).to_be_visible()
    expect(admin.locator("#job")).to_contain_text("已完成", timeout=60000)   # the job deciding the applications
    check(admin, "admin-notice-final")

    objector.goto(f"/campaigns/{campaign_id}/notice")
    expect(objector.get_by_text("经核实，该支部三月份活动记录真实有效，异议不成立。")).to_be_visible()

    # -- the winner downloads the certificate ---------------------------------------------------------------
    student.goto(f"/campaigns/{campaign_id}/final-list")
    student.wait_for_selector("text=荣誉证书（PDF）")     # awards are granted right after finalising
    check(student, "final-list")
    with student.expect_download() as download:
        student.get_by_role("link", name=f"荣誉证书（PDF） {BRANCH}").click()
    data = open(download.value.path(), "rb").read()
    assert data.startswith(b"%PDF")
    text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert BRANCH in text and "示范大学" in text

    # -- the dashboard draws its charts ------------------------------------------------------------------
    admin.goto(f"/dashboard?campaign_id={campaign_id}")
    admin.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 3")
    check(admin, "dashboard")

    # -- funding: the admin sets the budget and awards the grant from the menu ----------------------------
    click(admin, "link", "项目经费")
    check(admin, "projects-admin")
    click(admin, "link", "对标争先建设项目申报")
    expect(admin.get_by_text("尚未设置本批次的经费预算")).to_be_visible()
    admin.fill("#budget", "20000")
    click(admin, "button", "保存预算")
    expect(admin.get_by_role("status")).to_have_text("经费预算已保存：¥20,000.00")
    # The tier the review proposed (its grade) and the advisor the application names are preselected.
    proposed = admin.locator("#tier0 option:checked").inner_text()
    assert "建议" in proposed, proposed
    expect(admin.locator("#advisor0 option:checked")).to_have_text("陈老师")
    admin.fill("#amount0", "1000")
    check(admin, "campaign-funding")
    confirm(admin, "button", "为所选项目立项", "不能撤销")
    expect(admin.get_by_role("status")).to_contain_text("已开始立项")
    # The awarding job reloads the page when it ends (static/jobs.js).
    expect(admin.get_by_text("已立项", exact=True).first).to_be_visible(timeout=60000)
    job_ended(admin)
    expect(admin.locator("#budget-left")).to_have_text("¥19,000.00")
    check(admin, "campaign-funded")

    # -- the lead files a claim with a receipt ----------------------------------------------------------------
    click(student, "link", "项目经费")
    check(student, "projects")
    click(student, "link", "先锋领航进宿舍")
    expect(student.get_by_text("实施中").first).to_be_visible()
    student.fill("#purpose", "主题党日活动物料")
    student.fill("#it0-d", "展板制作")
    student.fill("#it0-a", "320.50")
    student.set_input_files("#new_receipt", files=[{"name": "发票.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    click(student, "button", "提交报销申请")
    expect(student.get_by_role("status")).to_contain_text("报销申请已提交")
    check(student, "project-claimed")

    # -- the advisor, the college and finance each see the receipt and approve; finance pays ---------------
    for who in ("advisor_me", "college_admin_me", "finance"):
        approver = new_page()
        login(approver, who)
        click(approver, "link", "待审批报销")
        receipt = approver.locator("iframe[title='预览：发票.pdf']")
        expect(receipt).to_be_visible()
        assert approver.request.get(receipt.get_attribute("src")).body() == PDF
        expect(approver.get_by_role("link", name=re.compile(r"下载\s*：发票\.pdf"))).to_be_visible()
        check(approver, f"finance-queue-{who}")
        confirm(approver, "button", "批准 主题党日活动物料", "主题党日活动物料")
    click(approver, "link", "待审批报销")
    approver.fill("input[name=payment_reference]", "记-2026-0118")
    confirm(approver, "button", "确认支付 主题党日活动物料", "不能撤销")
    expect(approver.get_by_role("status")).to_contain_text("付款凭证号")
    check(approver, "finance-paid")
    student.reload()
    expect(student.get_by_text("已支付").first).to_be_visible()
    expect(student.get_by_text("报销支付")).to_be_visible()
    expect(student.get_by_text("付款凭证号：记-2026-0118")).to_be_visible()
    check(student, "project-paid")

    # -- closing (结项): the lead uploads what the tier requires, the admin passes and closes -------------
    expect(student.get_by_text("上传结项材料（尚缺：")).to_be_visible()
    for kind, name in (("closing_report", "结题报告.pdf"), ("activity_summary", "活动总结.pdf")):
        student.select_option("#m-kind", kind)
        student.set_input_files("#m-file", files=[{"name": name, "mimeType": "application/pdf",
                                                   "buffer": PDF.replace(b"\n1 0 obj", f"\n%{kind}\n1 0 obj".encode(), 1)}])
        click(student, "button", "上传材料")
        expect(student.get_by_role("status")).to_contain_text("已提交结项材料")
    expect(student.get_by_text("活动管理员审核结项材料")).to_be_visible()
    check(student, "project-materials")
    click(admin, "link", "项目经费")
    click(admin, "link", "先锋领航进宿舍")
    expect(admin.get_by_role("link", name="结题报告.pdf")).to_be_visible()
    admin.fill("#review-reason", "材料齐全，同意结项。")
    click(admin, "button", "审核通过")
    expect(admin.get_by_role("status")).to_contain_text("结项材料已审核通过")
    check(admin, "project-review-passed")
    confirm(admin, "button", "办理结项", "不能撤销")
    expect(admin.get_by_role("status")).to_contain_text("已办理结项")
    expect(admin.get_by_text("已结项").first).to_be_visible()
    check(admin, "project-closed")
    student.reload()
    expect(student.get_by_text("已结项（")).to_be_visible()

    admin.goto(f"/dashboard?campaign_id={campaign_id}")
    admin.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 4")
    check(admin, "dashboard-funded")
    admin.get_by_role("link", name="English").click()
    admin.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length >= 4")
    expect(admin.get_by_role("heading", name="Budget used per tier")).to_be_visible()
    check(admin, "dashboard-english")
