"""Reviewing where the evidence is, in Chromium on the demo platform: a counselor
opens an application with a PDF and a photo from the queue and sees both in the
page, returns it with a reason and lands on the next one; the applicant changes the
budget and resubmits; the counselor sees the resubmission marked with the change,
approves and lands on the next, approves that and is back at the queue. A reviewer
sees the attachments on the score sheet, the running total follows what they type,
submits behind the confirm dialog and lands on the next application to score.

Its own campaign and people nobody else's test uses (经管学院's two branches, their
counselor, the reviewer 许老师), so the other browser tests' queues stay as they were.
Every page visited passes axe-core and is shot at desktop and phone widths
(test-artifacts/screenshots/evidence-*.png)."""
import uuid
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, api, assert_accessible, login, settle, shoot
from tests.browser.test_whole_flow import click
from tests.integration.helpers import PDF, good_form, png_bytes

FIRST, SECOND = "2023020101", "sec_em2"     # 经管学院学生第一党支部, 经管学院教工党支部
FIRST_NAME = "经管学院学生第一党支部"
REVIEWER = "reviewer_me"                    # 许老师: 机电学院, no conflict with 经管's branches


def application_form_pdf():
    """A one-page PDF the browser's viewer draws (the applicant's 项目申请表)."""
    from fpdf import FPDF
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=18)
    pdf.cell(0, 20, "Project application form", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, "Goals, measures, budget and the faculty advisor, as filled in by the branch.")
    return bytes(pdf.output())


def submitted(base_url, login_name, campaign_id, files):
    app = api(base_url, login_name, "POST", f"/api/campaigns/{campaign_id}/applications",
              headers={"Idempotency-Key": uuid.uuid4().hex}, json={"form": good_form()})
    for kind, data, name, mime in files:
        api(base_url, login_name, "POST", f"/api/applications/{app['id']}/attachments",
            files={"file": (name, data, mime)}, data={"kind": kind})
    api(base_url, login_name, "POST", f"/api/applications/{app['id']}/actions", json={"action": "submit"})
    return app["id"]


def check(page, name):
    """axe-core and a full-page shot at desktop width, then the same address in a
    second tab at phone width (axe again, shot). The page itself keeps its size: a
    PDF viewer's frame resized under it keeps taking clicks at its old place in
    headless Chromium, so the page the test goes on with is never resized."""
    page.wait_for_load_state()
    assert_accessible(page)
    shoot(page, f"evidence-{name}-desktop")
    phone = page.context.new_page()
    phone.set_viewport_size(PHONE)
    phone.goto(page.url)
    phone.wait_for_load_state()
    assert_accessible(phone)
    shoot(phone, f"evidence-{name}-phone")
    phone.close()


def confirm(page, role, name, says, exact=False):
    """Click a button that cannot be undone, then OK in the dialog that says what will
    happen (`says`). The button is scrolled into view and two frames pass first: a PDF
    viewer's frame just scrolled past takes a click aimed at once at its old place."""
    button = page.get_by_role(role, name=name, exact=exact).first
    previews_loaded(page)
    dialog = page.locator("dialog.confirm[open]")
    for attempt in range(3):   # a click the PDF frame still swallowed (seen in CI) is made again
        button.scroll_into_view_if_needed()
        settle(page)
        button.click()
        try:
            expect(dialog).to_be_visible(timeout=3000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    expect(dialog).to_contain_text(says)
    with page.expect_navigation():
        dialog.locator(".confirm-ok").click()
    page.wait_for_load_state()


def previews_loaded(page):
    """Every PDF frame of the page has loaded (static/preview.js marks it): the viewer
    settles its focus as it loads, and the test acts after that, as a reader would."""
    page.wait_for_function("() => [...document.querySelectorAll('iframe.preview-pdf')]"
                           ".every(f => f.hasAttribute('data-loaded'))")
    page.wait_for_timeout(500)   # preview.js hands the focus back up to 400 ms after the load


def menu(page, name):
    with page.expect_navigation():
        page.locator("header nav").get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()


def refused_by_policy(page):
    """Messages of content the page's policies refused (a frame, an image, a script)."""
    found = []
    page.on("console", lambda m: found.append(m.text) if "Refused" in m.text or "Content Security" in m.text else None)
    return found


def expect_previews(page):
    """The photo drawn and the PDF's frame loaded from this site, as served inline."""
    photo = page.locator("img.preview-image").first
    expect(photo).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    frame = page.locator("iframe.preview-pdf").first
    expect(frame).to_be_visible()
    expect(frame).to_have_attribute("data-loaded", "")
    served = page.request.get(frame.get_attribute("src"))
    assert served.ok and served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"].startswith("inline;") and served.body().startswith(b"%PDF")
    assert "frame-ancestors 'self'" in served.headers["content-security-policy"]


def test_review_with_the_evidence_from_the_queue_and_the_score_sheet(new_page, base_url):
    now = datetime.now(timezone.utc)
    title = f"评审证据测试 {uuid.uuid4().hex[:4]}"
    campaign = api(base_url, "admin", "POST", "/api/campaigns", headers={"Idempotency-Key": uuid.uuid4().hex}, json={
        "program": "pilot_branches", "title": title, "academic_year": "2026-2027", "unit_id": "school_demo",
        "application_opens_at": (now - timedelta(days=1)).isoformat(),
        "application_closes_at": (now + timedelta(days=7)).isoformat()})
    first = submitted(base_url, FIRST, campaign["id"], [
        ("application_form", application_form_pdf(), "申请表.pdf", "application/pdf"), ("photo", png_bytes(size=160), "活动照片.png", "image/png")])
    second = submitted(base_url, SECOND, campaign["id"], [("application_form", PDF, "申请表.pdf", "application/pdf")])

    # -- the counselor opens it from the queue and sees the evidence ---------------------------
    counselor = new_page()
    refused = refused_by_policy(counselor)
    login(counselor, "counselor_em")
    menu(counselor, "审核队列")
    counselor.select_option("#q-campaign", label=title)
    click(counselor, "button", "筛选")
    click(counselor, "link", FIRST_NAME)
    assert f"/review/applications/{first}" in counselor.url
    expect(counselor.get_by_text("项目名称")).to_be_visible()
    expect_previews(counselor)
    check(counselor, "review")

    # -- returns it with a reason and lands on the next one -------------------------------------
    counselor.fill("#review-reason", "预算明细不清楚，请细化到每项活动。")
    confirm(counselor, "button", "退回", "退回申报人修改", exact=True)
    expect(counselor.get_by_role("status")).to_have_text(f"已退回「{FIRST_NAME}」；下面是队列中的下一份申报。")
    assert f"/review/applications/{second}" in counselor.url

    # -- the applicant reads the reason, changes the budget and resubmits ------------------------
    applicant = new_page("phone")
    login(applicant, FIRST)
    applicant.goto(f"/applications/{first}")
    expect(applicant.get_by_text("预算明细不清楚，请细化到每项活动。").first).to_be_visible()
    applicant.fill("#f-planned_budget_yuan", "2500.00")
    confirm(applicant, "button", "保存并提交", "学院审核")
    expect(applicant.get_by_role("status")).to_have_text("已提交，等待学院审核")

    # -- the counselor sees it marked with what changed, approves, lands on the next ------------
    menu(counselor, "审核队列")
    counselor.select_option("#q-campaign", label=title)
    click(counselor, "button", "筛选")
    row = counselor.locator("tr", has=counselor.get_by_role("link", name=FIRST_NAME))
    expect(row).to_contain_text("退回后重新提交")
    click(counselor, "link", FIRST_NAME)
    changes = counselor.locator("#changes")
    expect(changes).to_contain_text("预算金额（元）")
    expect(changes).to_contain_text("2800.00")
    expect(changes).to_contain_text("2500.00")
    check(counselor, "resubmitted")
    confirm(counselor, "button", "通过", "学校评审", exact=True)
    expect(counselor.get_by_role("status")).to_contain_text("下面是队列中的下一份申报")
    assert f"/review/applications/{second}" in counselor.url
    confirm(counselor, "button", "通过", "学校评审", exact=True)
    expect(counselor.get_by_role("status")).to_contain_text("队列中已没有待审核的申报")
    assert not refused, refused

    # -- the reviewer scores with the evidence in view -------------------------------------------
    api(base_url, "admin", "PUT", f"/api/scoring/campaigns/{campaign['id']}/setup",
        json={"reviewers_per_application": 1, "blind_review": True})
    for app_id in (first, second):
        api(base_url, "admin", "POST", f"/api/scoring/campaigns/{campaign['id']}/assignments",
            json={"application_id": app_id, "reviewer_id": f"p_{REVIEWER}"})
    reviewer = new_page()
    refused = refused_by_policy(reviewer)
    login(reviewer, REVIEWER)
    menu(reviewer, "我的评审")
    with reviewer.expect_navigation():
        reviewer.locator(f"a[href*='{first}']").click()
    reviewer.wait_for_load_state()
    expect_previews(reviewer)
    assert "活动照片.png" not in reviewer.content()          # blind review: named by its kind
    running = reviewer.locator("#running-total")
    expect(running).to_have_text("—")
    boxes = reviewer.locator("input[type=number]")
    boxes.nth(0).fill("8")                                   # 创建目标明确: 10% of the total
    expect(running).to_have_text("8")
    for index in range(1, boxes.count()):
        boxes.nth(index).fill("8")
    expect(running).to_have_text("80")
    reviewer.fill("#sheet-comment", "目标明确，举措具体，预算合理。")
    check(reviewer, "score-sheet")
    confirm(reviewer, "button", "提交", "锁定", exact=True)
    expect(reviewer.locator("main p[role=status]")).to_have_text("评分已提交并锁定；下面是下一份待评分的申报。")
    assert second in reviewer.url
    sheet = api(base_url, REVIEWER, "GET", f"/api/scoring/campaigns/{campaign['id']}/applications/{first}/sheet")
    assert sheet["state"] == "submitted" and sheet["comment"] == "目标明确，举措具体，预算合理。"
    assert not refused, refused
