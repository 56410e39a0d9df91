"""Campaign management in a real browser, from the menu (issue 13): the school admin
opens a campaign, writes its notice and requirements and attaches the 项目申请表
template; a branch secretary on a phone reads the notice on the campaign page and
downloads the template; the admin closes the application window early (after the
confirm dialog) and the status the secretary sees changes from 申报中 to 审核中.

Every page visited passes axe-core (WCAG 2 A/AA) and is shot at desktop and phone
widths (test-artifacts/screenshots/campaign-*.png)."""
import io
import re
import zipfile
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, check_widths, login, shoot
from tests.browser.test_whole_flow import click, confirm

TITLE = "2026年对标争先申报（通知演示）"
NOTICE = "一、申报对象\n全校各学生党支部均可申报。\n\n二、申报方式\n请下载项目申请表，填写后随申报一并提交。"


def check(page, name):
    check_widths(page, f"campaign-{name}", no_sideways_scroll=True)


def docx():
    """A minimal Word document (recognised from its bytes as .docx); the entries'
    fixed time makes every call give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in (("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<document>项目申请表</document>")):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), body)
    return buffer.getvalue()


def test_admin_writes_the_notice_attaches_a_template_and_closes_the_window(new_page):
    admin = new_page()
    login(admin, "admin")
    click(admin, "link", "活动管理", exact=True)
    now = datetime.now(ZoneInfo("Asia/Shanghai")).replace(second=0, microsecond=0)
    admin.select_option("#i-program", "pilot_branches")
    admin.fill("#i-title", TITLE)
    admin.fill("#i-academic_year", "2026-2027")
    admin.select_option("#i-unit_id", "school_demo")
    admin.fill("#i-application_opens_at", (now - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"))
    admin.fill("#i-application_closes_at", (now + timedelta(days=7)).strftime("%Y-%m-%d %H:%M"))
    expect(admin.locator("textarea")).to_have_count(0)          # no raw settings anywhere
    click(admin, "button", "发起评选活动")
    campaign_id = admin.url.split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[1]
    expect(admin.locator(".badge.phase-applying").first).to_have_text("申报中")
    check(admin, "admin-page")

    # -- the notice and requirements, then the template -------------------------------------------
    # The campaign page may reload itself once the results preview it started is done
    # (static/jobs.js): a reload caught in place of the link's page is clicked again.
    for _ in range(3):
        admin.get_by_role("link", name="申报通知与模板", exact=True).click()
        try:
            admin.wait_for_url(re.compile(r"/content(\?|$)"), timeout=10000)
            break
        except PlaywrightTimeout:
            print("the campaign page reloaded instead; clicking 申报通知与模板 again")
    admin.get_by_label("申报通知正文").fill(NOTICE)
    admin.get_by_label("申报要求").fill("材料须真实、完整，逾期不予受理。")
    click(admin, "button", "保存通知")
    expect(admin.get_by_role("status")).to_contain_text("已保存申报通知与要求")
    expect(admin.get_by_text("单个文件不超过")).to_be_visible()     # the limits, before any upload
    admin.set_input_files("#tpl-file", files=[{
        "name": "项目申请表.docx", "buffer": docx(),
        "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}])
    click(admin, "button", "上传模板")
    expect(admin.get_by_role("status")).to_contain_text("已上传模板：项目申请表.docx")
    check(admin, "content")

    # -- a branch secretary on a phone reads the notice and downloads the template -----------------
    student = new_page("phone")
    login(student, "2023010101")
    click(student, "link", TITLE)
    expect(student.get_by_role("heading", name="申报通知")).to_be_visible()
    expect(student.get_by_text("全校各学生党支部均可申报。")).to_be_visible()
    expect(student.get_by_text("材料须真实、完整，逾期不予受理。")).to_be_visible()
    expect(student.locator(".badge", has_text="申报中").first).to_be_visible()
    with student.expect_download() as got:
        student.get_by_role("link", name="项目申请表.docx").click()
    assert got.value.suggested_filename == "项目申请表.docx"
    with open(got.value.path(), "rb") as handle:
        assert handle.read() == docx()
    assert_accessible(student)
    shoot(student, "campaign-applicant-notice-phone")

    # -- the admin closes the window early: the dialog says what happens; the status changes ------------
    admin.goto(f"/admin/campaigns/{campaign_id}")
    confirm(admin, "button", "截止申报", "不再接受", exact=True)
    expect(admin.get_by_role("status")).to_contain_text("已截止申报")
    expect(admin.locator(".badge.phase-checking").first).to_have_text("审核中")
    check(admin, "admin-closed")
    click(admin, "link", "活动管理", exact=True)
    row = admin.locator("tr", has_text=TITLE)
    expect(row.locator(".badge")).to_have_text("审核中")

    student.reload()
    expect(student.locator(".badge", has_text="审核中").first).to_be_visible()
    expect(student.get_by_role("button", name="申报", exact=True)).to_have_count(0)
    shoot(student, "campaign-applicant-closed-phone")
