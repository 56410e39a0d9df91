"""Home's to-do list, the inbox and the public notice board in Chromium, phone and
desktop: a counselor sees 待审核 with a count and follows it to the queue, opens the
inbox from the menu's unread badge and follows a message to the application; a
visitor who is not logged in opens the notice board from the log-in page and prints
it (print media: no menu, the issuing office and the date at the bottom).

The data is made through the API in a campaign of this test's own (the demo's
campaigns are the other browser tests'): 黄老师 (branch_em2's secretary) applies, and
the application is then taken through review and scoring onto a public notice."""
import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, api, assert_accessible, login, shoot
from tests.integration.helpers import PDF, campaign_payload, good_form

TITLE = "首页待办演示活动"
PROJECT = "支部进社区服务"


def submitted_application(base_url):
    campaign = api(base_url, "admin", "POST", "/api/campaigns",
                   json=campaign_payload(title=TITLE, closes_delta=timedelta(days=2)))
    app = api(base_url, "sec_em2", "POST", f"/api/campaigns/{campaign['id']}/applications",
              json={"form": good_form(title=PROJECT)})
    api(base_url, "sec_em2", "POST", f"/api/applications/{app['id']}/attachments",
        data={"kind": "application_form"}, files={"file": ("申请表.pdf", PDF, "application/pdf")})
    api(base_url, "sec_em2", "POST", f"/api/applications/{app['id']}/actions", json={"action": "submit"})
    return campaign["id"], app["id"]


def on_notice(base_url, campaign_id, app_id):
    """Review, score, close the window and publish through the API, then open the public notice. The
    reviewer is 许老师 (机电学院: no conflict with 经管学院's branch_em2), whom the other browser tests do
    not use, so their reviewers' lists stay as they expect."""
    api(base_url, "counselor_em", "POST", f"/api/applications/{app_id}/actions", json={"action": "college_approve"})
    scoring = f"/api/scoring/campaigns/{campaign_id}"
    api(base_url, "admin", "PUT", f"{scoring}/setup", json={"reviewers_per_application": 1})
    api(base_url, "admin", "POST", f"{scoring}/assignments",
        json={"application_id": app_id, "reviewer_id": "p_reviewer_me"})
    scores = {leaf: 9 for leaf in ("goals", "measures", "innovation", "feasibility", "outcomes", "budget")}
    api(base_url, "reviewer_me", "POST", f"{scoring}/applications/{app_id}/sheet/submit", json={"scores": scores})
    api(base_url, "admin", "POST", f"/api/campaigns/{campaign_id}/window", json={"action": "close"})
    api(base_url, "admin", "POST", f"{scoring}/results/publish", json={})
    for _ in range(100):   # the applications service records the shortlist from the event
        try:
            return api(base_url, "admin", "POST", f"/api/campaigns/{campaign_id}/notice", json={})
        except AssertionError:
            time.sleep(0.2)
    raise AssertionError("the notice never opened")


def test_counselor_todo_and_inbox_then_a_visitor_prints_the_board(new_page, base_url):
    campaign_id, app_id = submitted_application(base_url)

    for width in ("phone", "desktop"):
        page = new_page(width)
        login(page, "counselor_em")
        todo = page.locator("li.todo-item", has_text="待审核")
        expect(todo).to_be_visible()
        count = int(todo.locator(".todo-count").inner_text())
        assert count >= 1
        assert_accessible(page)
        shoot(page, f"home-todo-{width}")
        with page.expect_navigation():
            todo.get_by_role("link").click()
        assert page.url.endswith("/review")
        expect(page.get_by_text("经管学院教工党支部").first).to_be_visible()

        # The submission was announced to the counselor: on the phone the unread badge
        # leads to the inbox and opening the message reads it; on the desktop the
        # message, read by then, still leads to the application.
        badge = page.locator("header .menu a[href='/inbox'] .unread-badge")
        if width == "phone":
            # Wait for the submission's own message: a badge may already be lit by other
            # messages (a 公示 of another test reaches every counselor in scope).
            for _ in range(60):
                items = api(base_url, "counselor_em", "GET", "/api/notifications/inbox").get("items", [])
                if any("申报已提交" in (item.get("subject") or "") for item in items):
                    break
                page.wait_for_timeout(500)
            page.reload()
            for _ in range(30):
                if badge.count():
                    break
                page.wait_for_timeout(500)
                page.reload()
            assert badge.count(), api(base_url, "counselor_em", "GET", "/api/notifications/inbox")
            unread = int(re.match(r"\d+", badge.inner_text()).group())
        with page.expect_navigation():
            page.locator("header .menu a[href='/inbox']").click()
        assert page.url.endswith("/inbox")
        expect(page.get_by_role("heading", name=re.compile("消息"))).to_be_visible()
        assert_accessible(page)
        shoot(page, f"inbox-{width}")
        message = page.locator("li.inbox-item", has_text="申报已提交").first
        expect(message).to_be_visible()
        if width == "phone":
            expect(message).to_have_class(re.compile("unread"))
        with page.expect_navigation():
            message.locator(".inbox-subject a").click()
        page.wait_for_load_state()
        assert "/api/" not in page.url and app_id in page.url, page.url
        expect(page.get_by_text(PROJECT).first).to_be_visible()
        assert_accessible(page)
        if width == "phone":   # opened, the message is read: one fewer on the badge
            page.goto("/inbox")
            left = page.locator("header .menu a[href='/inbox'] .unread-badge")
            assert (int(re.match(r"\d+", left.inner_text()).group()) if left.count() else 0) == unread - 1
            expect(page.locator("li.inbox-item", has_text="申报已提交").first).not_to_have_class(re.compile("unread"))

    on_notice(base_url, campaign_id, app_id)
    for width in ("phone", "desktop"):
        visitor = new_page(width)
        visitor.goto("/login")
        with visitor.expect_navigation():
            visitor.get_by_role("link", name="公示公告（无需登录）").click()
        assert visitor.url.endswith("/board")
        notice = visitor.locator("section.board-notice", has_text=TITLE)
        expect(notice).to_be_visible()
        expect(notice.get_by_text(PROJECT)).to_be_visible()
        expect(notice.get_by_text("黄老师")).to_be_visible()                  # the person responsible
        expect(notice.get_by_text("公示时间")).to_be_visible()
        assert re.search(r"\d+月\d+日至\d+月\d+日", notice.inner_text())
        shown = visitor.locator("main").inner_text()
        assert app_id not in shown and campaign_id not in shown and "sec_em2" not in shown
        assert_accessible(visitor)
        shoot(visitor, f"board-{width}")
        # Objecting needs a log-in, then comes back to the campaign's notice page.
        objection = notice.get_by_role("link", name=re.compile("登录后提出异议"))
        assert objection.get_attribute("href") == f"/login?next=/campaigns/{campaign_id}/notice"

        # One notice, printed: no menu, no buttons, the issuer and date at the bottom.
        with visitor.expect_navigation():
            notice.get_by_role("link", name=TITLE, exact=True).click()
        visitor.emulate_media(media="print")
        expect(visitor.locator("header.top")).to_be_hidden()
        expect(visitor.get_by_role("button", name="打印")).to_be_hidden()
        expect(visitor.locator("section.board-notice .no-print").first).to_be_hidden()
        issuer = visitor.locator(".board-issuer")
        expect(issuer).to_be_visible()
        today = datetime.now(ZoneInfo("Asia/Shanghai"))
        expect(issuer).to_contain_text("发布单位：党委学生工作部")
        expect(issuer).to_contain_text(f"日期：{today.year}年{today.month}月{today.day}日")
        table = visitor.locator("section.board-notice table").last.bounding_box()
        assert issuer.bounding_box()["y"] > table["y"] + table["height"], "the issuer is not below the list"
        shoot(visitor, f"board-print-{width}")
        visitor.emulate_media(media="screen")

    # The visitor logs in to object and comes back to the campaign's notice page.
    with visitor.expect_navigation():
        visitor.get_by_role("link", name=re.compile("登录后提出异议")).first.click()
    visitor.get_by_label("账号（学号/工号）").fill("2023020102")
    visitor.get_by_label("密码").fill(PASSWORD)
    with visitor.expect_navigation():
        visitor.get_by_role("button", name="登录").click()
    assert visitor.url.endswith(f"/campaigns/{campaign_id}/notice"), visitor.url
    expect(visitor.get_by_role("heading", name="提出异议", exact=True)).to_be_visible()
