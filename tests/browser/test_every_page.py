"""Every page as each role sees it, at phone (390 px) and desktop (1280 px) widths, in
Chromium: from the menu and the links on each menu page (one page of each kind),
no page may show a known code of the label catalogue, an internal id (app_…,
cmp_…, award:…), a field name in an error, raw JSON, or make the phone page scroll
sideways (long tables scroll inside their box). Then the data-loss cases: a draft
that breaks a rule keeps everything typed and saves what is valid; uploading keeps
unsaved edits; the error page is a page with a way back.

Bounded: at most PAGES_PER_ROLE pages per role and SECONDS_PER_ROLE for each (the
menu's pages come first), each loaded once and looked at at both widths (about a
minute on a quiet machine); the pages seen are printed."""
import re
import time
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from core import labels
from tests.browser.conftest import DESKTOP, PHONE, login

ROLES = ("admin", "counselor_me", "college_admin_me", "2023010101", "2023010102", "reviewer", "advisor_me",
         "finance")
PAGES_PER_ROLE = 16
SECONDS_PER_ROLE = 16    # a busy machine sees fewer pages per role (menu pages first), never a timeout
SKIP = ("/logout", "/lang/", "/static/", "/api/", "/login")
DOWNLOADS = (".xlsx", ".docx", ".pdf", ".csv", ".zip")
SNAKE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")
WORD = re.compile(r"(?<![A-Za-z0-9_.@/-])[a-z]{3,}(?![A-Za-z0-9_@/-])")
# The demo directory's staff numbers (工号) look like codes (league_me, reviewer_me):
# they are what people type to log in and rightly shown as numbers on people pages.
DEMO_STAFF_NO = re.compile(r"^[a-z]+_(me|em)\d*$")
KNOWN_SIDEWAYS = set()   # every page is held to it (the person pages were the last, fixed 2026-12-06)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _shape(path):
    """One page of each kind: ids and numbers in a path become '*'."""
    return "/".join("*" if re.search(r"\d|_|:", part) else part for part in path.split("/"))


def _links(page, base):
    hrefs = page.eval_on_selector_all("header nav a[href], main a[href]", "els => els.map(e => e.href)")
    out = []
    for href in hrefs:
        parsed = urlparse(href)
        if parsed.netloc != urlparse(base).netloc or parsed.fragment and not parsed.path:
            continue
        path = parsed.path + (f"?{parsed.query}" if parsed.query and "message=" not in parsed.query else "")
        if any(s in path for s in SKIP) or path.endswith(DOWNLOADS):
            continue
        out.append(path)
    return out


def problems_on(page):
    """What a person must never see on this page (its visible text only)."""
    text = page.inner_text("body")
    found = []
    stripped = text.strip()
    if stripped.startswith("{") or stripped.startswith("[{") or '"message_zh"' in text or '"code":' in text:
        found.append("raw JSON")
    found += [f"id {m.group(0)}" for m in labels.ID_PATTERN.finditer(text)]
    if "Asia/Shanghai" in text:
        found.append("the zone code Asia/Shanghai (pages say 北京时间)")
    found += [f"code {w}" for w in sorted(set(WORD.findall(text)) & labels.KNOWN_CODES)]
    found += [f"code {w}" for w in sorted(set(SNAKE.findall(text))) if not DEMO_STAFF_NO.match(w)]
    for box in page.locator(".alert, .field-error").all():
        message = box.inner_text()
        if SNAKE.search(message) or "form." in message or re.search(r"\b[a-z]+\.[a-z]+\b", message):
            found.append(f"field name in an error: {message[:80]}")
    return found


def sideways_scroll(page):
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.timeout(180)   # 8 roles x up to 12 pages x 2 widths; bounded by PAGES_PER_ROLE
def test_every_page_as_every_role_at_phone_and_desktop_widths(new_page, base_url):
    report = {}
    for who in ROLES:
        page = new_page()
        login(page, who)
        queue, seen_shapes, visited, started = ["/"], set(), 0, time.monotonic()
        while queue and visited < PAGES_PER_ROLE and (visited < 3 or time.monotonic() - started < SECONDS_PER_ROLE):
            path = queue.pop(0)
            shape = _shape(path.split("?")[0])
            if shape in seen_shapes:
                continue
            seen_shapes.add(shape)
            response = page.goto(path)
            page.wait_for_load_state()
            visited += 1
            where = f"{who} {path}"
            assert response is not None and response.status < 400, (where, response and response.status)
            found = problems_on(page)
            page.set_viewport_size(PHONE)
            overflow = sideways_scroll(page)
            if overflow > 2 and _shape(path.split("?")[0]) not in KNOWN_SIDEWAYS:
                found.append(f"the phone page scrolls sideways by {overflow}px")
            page.set_viewport_size(DESKTOP)
            if found:
                report[where] = found
            queue += [p for p in _links(page, base_url) if _shape(p.split("?")[0]) not in seen_shapes]
        print(f"{who}: {visited} page(s) in {time.monotonic() - started:.0f} s: {sorted(seen_shapes)}")
        assert visited >= 2, f"{who} reached only {visited} page(s)"
    assert not report, "\n".join(f"{where}: {found}" for where, found in report.items())


def test_nothing_typed_is_lost_and_errors_are_pages(new_page):
    page = new_page("phone")
    login(page, "2023020101")              # 经管学院学生第一党支部 (the whole-flow test uses 机电's)
    page.get_by_role("link", name="对标争先建设项目申报").first.click()
    page.wait_for_load_state()
    with page.expect_navigation():
        page.get_by_role("button", name="申报", exact=True).click()
    app_url = page.url

    # A draft that breaks two rules: everything stays as typed, the rest is saved.
    page.fill("#f-title", "党旗飘扬进社区")
    page.fill("#f-goals", "太短")
    page.fill("#f-faculty_advisor-name", "刘老师")
    page.fill("#f-faculty_advisor-phone", "12345")
    expect(page.locator("#f-faculty_advisor-phone")).to_have_attribute("type", "tel")
    with page.expect_navigation():
        page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("alert").first).to_contain_text("指导教师 · 手机号")
    expect(page.locator("#f-goals")).to_have_value("太短")
    expect(page.locator("#f-faculty_advisor-phone")).to_have_value("12345")
    assert not problems_on(page), problems_on(page)
    page.goto(app_url)
    expect(page.locator("#f-title")).to_have_value("党旗飘扬进社区")      # the valid part was saved
    expect(page.locator("#f-faculty_advisor-name")).to_have_value("刘老师")
    expect(page.locator("#f-faculty_advisor-phone")).to_have_value("")

    # Uploading keeps the edit typed just before it (saved with the upload).
    page.fill("#f-title", "党旗飘扬进社区（修订）")
    page.select_option("#att-kind", "application_form")
    page.set_input_files("#att-file", files=[{"name": "申请表.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    with page.expect_navigation():
        page.get_by_role("button", name="保存并上传").click()
    expect(page.locator("a:has-text('申请表.pdf')")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("附件已上传")
    expect(page.locator("#f-title")).to_have_value("党旗飘扬进社区（修订）")

    # Submitting asks first; cancelling changes nothing.
    page.get_by_role("button", name="保存并提交").click()
    dialog = page.locator("dialog.confirm[open]")
    expect(dialog).to_contain_text("学院审核")
    dialog.locator(".confirm-cancel").click()
    expect(dialog).to_have_count(0)
    assert page.url.startswith(app_url)

    # The Chinese date picker (a campaign's dates on the admin page) shows 年/月 and 24-hour times.
    admin = new_page("desktop", locale="en-US")
    login(admin, "admin")
    admin.goto("/admin/campaigns")
    picker = admin.locator("input[data-picker=datetime]").first
    admin.locator("button.picker-open").first.click()
    expect(admin.locator(".picker strong")).to_contain_text("年")
    expect(admin.locator(".picker select[data-time] option").last).to_have_text("23:45")
    admin.locator(".picker button[data-day='11']").click()
    assert re.match(r"^\d{4}-\d{2}-11 \d{2}:\d{2}$", picker.input_value()), picker.input_value()

    # An unknown page is a page in the layout with a way back, not JSON.
    response = page.goto("/no/such/page")
    assert response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.get_by_role("link", name="返回")).to_be_visible()
    assert not problems_on(page)
