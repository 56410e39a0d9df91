"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium; no
downloaded browser) against the whole platform started with `deploy/platform up`
on its own RabbitMQ vhost, Mongo port, gateway port and run directory, with the
demo data. Screenshots go to test-artifacts/screenshots/ (phone and desktop widths);
`assert_accessible` runs axe-core (from npm) for WCAG 2 A/AA rules, labels and
contrast included.
"""
import os
import signal
import subprocess

import pytest
from playwright.sync_api import expect

from tests.platform_up import ROOT, PlatformUp

SHOTS = os.path.join(ROOT, "test-artifacts", "screenshots")
AXE = os.path.join(ROOT, "node_modules", "axe-core", "axe.min.js")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "Demo@2026"


@pytest.fixture(scope="session")
def browser_platform(tmp_path_factory):
    """A platform of our own (free ports, own vhost), with the demo data loaded."""
    platform = PlatformUp("browser", tmp_path_factory.mktemp("run"))
    try:
        output = platform.start()
        assert platform.process.poll() is None and "Ctrl-C" in output, "platform did not come up:\n" + output
        yield platform
    finally:
        up = platform.process
        if up is not None:
            os.killpg(up.pid, signal.SIGINT)
            try:
                up.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(up.pid, signal.SIGKILL)
        platform.delete_vhost()


@pytest.fixture(scope="session")
def base_url(browser_platform):
    """The gateway of the browser tests' platform."""
    return browser_platform.base_url


@pytest.fixture(scope="session")
def mongo_uri(browser_platform):
    """The Mongo server of the browser tests' platform (for checks a page cannot show)."""
    return browser_platform.mongo_uri


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser, base_url):
    """new_page(width="desktop"|"phone") -> a page in a fresh context (own cookies)."""
    contexts = []

    def make(width="desktop", locale="zh-CN"):
        context = browser.new_context(viewport=PHONE if width == "phone" else DESKTOP, locale=locale,
                                      base_url=base_url, accept_downloads=True)
        context.set_default_timeout(20000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def api_call(base_url, who, method, path, timeout=60, **kwargs):
    """A set-up request through the REST API as `who` (the demo password): the response.
    Set-up only: the steps under test are taken in the browser."""
    import requests
    token = requests.post(f"{base_url}/api/auth/login", json={"login": who, "password": PASSWORD},
                          timeout=20).json()["token"]
    headers = dict(kwargs.pop("headers", {}), Authorization=f"Bearer {token}")
    return requests.request(method, f"{base_url}{path}", headers=headers, timeout=timeout, **kwargs)


def api(base_url, who, method, path, **kwargs):
    """`api_call` that must succeed: its JSON."""
    response = api_call(base_url, who, method, path, **kwargs)
    assert response.status_code < 300, (path, response.status_code, response.text[:500])
    return response.json()


def login(page, who, password=PASSWORD):
    page.goto("/login")
    page.get_by_label("账号（学号/工号）").fill(who)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:2000]


def job_ended(page, timeout=60000):
    """Wait until no background job on the page is queued or running. While one is,
    static/jobs.js reloads the page when it ends, and a reload in the middle of a
    check destroys the page's context; a page that shows the job ended never reloads."""
    expect(page.locator("[data-job-state=queued], [data-job-state=running]")).to_have_count(0, timeout=timeout)


def settle(page):
    """Wait two frames: layout and ResizeObserver-driven redraws (the charts) catch up
    with a new viewport before a screenshot or a click."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def check_widths(page, shot, axe_on_phone=False, no_sideways_scroll=False):
    """axe-core on the page once no job on it runs (`job_ended`), full-page shots
    `<shot>-desktop` and `<shot>-phone` (axe again at phone width when asked, and no
    sideways scrolling when asked), then back at desktop width from the top: a click
    aimed while the page still reflows can land beside its button."""
    page.wait_for_load_state()
    job_ended(page)
    assert_accessible(page)
    shoot(page, f"{shot}-desktop")
    page.set_viewport_size(PHONE)
    settle(page)
    if axe_on_phone:
        assert_accessible(page)
    if no_sideways_scroll:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, f"{shot}: sideways scroll"
    shoot(page, f"{shot}-phone")
    page.set_viewport_size(DESKTOP)
    page.evaluate("() => window.scrollTo(0, 0)")
    settle(page)


def shoot(page, name):
    """Save a full-page screenshot as test-artifacts/screenshots/<name>.png."""
    os.makedirs(SHOTS, exist_ok=True)
    path = os.path.join(SHOTS, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path


def assert_accessible(page):
    """No axe-core violations of WCAG 2 A/AA (labels, contrast, names, landmarks...)."""
    # Evaluated through the DevTools protocol, not added as a <script>: the pages'
    # Content-Security-Policy refuses inline scripts, and the test must not weaken it.
    with open(AXE, encoding="utf-8") as source:
        page.evaluate(source.read())
    violations = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(r => r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))})))")
    assert not violations, f"{page.url}: {violations}"
