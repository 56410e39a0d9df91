"""Log-in, the language switch and the home page, at phone and desktop widths."""
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login, shoot


def test_login_switch_language_and_home(new_page):
    for width in ("phone", "desktop"):
        page = new_page(width)
        page.goto("/")
        assert "/login" in page.url                      # pages need a log-in
        assert_accessible(page)
        shoot(page, f"login-{width}")

        page.get_by_label("账号（学号/工号）").fill("2023010101")
        page.get_by_label("密码").fill("wrong-password")
        page.get_by_role("button", name="登录").click()
        assert page.get_by_role("alert").is_visible()    # a wrong password says so
        assert_accessible(page)

        login(page, "2023010101")
        assert page.get_by_role("heading", name="评选活动").is_visible()
        assert_accessible(page)
        shoot(page, f"home-{width}")

        page.get_by_role("link", name="English").click()   # expect waits for the page the link leads to
        expect(page.get_by_role("heading", name="Campaigns")).to_be_visible()
        page.get_by_role("link", name="中文").click()
        expect(page.get_by_role("heading", name="评选活动")).to_be_visible()
