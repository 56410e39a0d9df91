"""A list of rows in a form (文明寝室's 预期成果) grows in the browser: "添加一条" adds
an empty, renumbered row without a round trip and without touching what was typed;
saving the draft keeps every row. At a phone width, in Chromium, on the demo
platform (经管学院's year-1 dorm leader, the demo 文明寝室 campaign)."""
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login
from tests.browser.test_dorm_cycle import YEAR
from tests.browser.test_whole_flow import click

LEADER = f"{YEAR}020901"     # 寝室长 of 经管学院's year-1 dorm (deploy/demo_people.py)


def test_rows_are_added_in_the_page_and_kept_by_the_draft(new_page):
    page = new_page("phone")
    login(page, LEADER)
    click(page, "link", f"{YEAR}-{YEAR + 1} 学年文明寝室创建评选")
    click(page, "button", "申报", exact=True)
    app_url = page.url
    page.select_option("#f-types", ["environment"])
    page.fill("#f-culture_theme", "书香寝室")
    page.fill("#f-expected_outputs-0-id", "wall")
    page.fill("#f-expected_outputs-0-description", "建成寝室文化墙")
    page.evaluate("() => { window.__same_page = true; }")    # gone if the page were reloaded

    rows = page.locator("fieldset[data-rows]").filter(has=page.locator("#f-expected_outputs-0-id"))
    rows.get_by_role("button", name="添加一条").click()
    assert page.evaluate("() => window.__same_page === true")     # no round trip
    expect(page.locator("#f-expected_outputs-1-id")).to_be_focused()
    expect(page.locator("#f-expected_outputs-1-id")).to_have_value("")
    expect(rows.locator("[data-row-number]").nth(1)).to_have_text("#2")
    expect(page.locator("#f-expected_outputs-0-description")).to_have_value("建成寝室文化墙")   # typed, kept
    page.fill("#f-expected_outputs-1-id", "contest")
    page.fill("#f-expected_outputs-1-description", "参加寝室美化大赛")
    assert_accessible(page)

    click(page, "button", "保存草稿")
    page.goto(app_url)
    expect(page.locator("#f-expected_outputs-0-description")).to_have_value("建成寝室文化墙")
    expect(page.locator("#f-expected_outputs-1-id")).to_have_value("contest")
    expect(page.locator("#f-expected_outputs-1-description")).to_have_value("参加寝室美化大赛")
