"""Failed page requests render the error page in the layout with a way back (404,
403, 405, 413, 500 and a service's refusal); API clients keep getting JSON. No field
code, id or English parser text reaches the page."""
import io
import re

from tests.integration.web.test_applicant_pages import _web_login

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _assert_error_page(response, status, *expected):
    assert response.status_code == status
    assert response.mimetype == "text/html", response.get_data(as_text=True)[:300]
    text = response.get_data(as_text=True)
    assert '<header class="top">' in text and 'class="alert"' in text  # the layout, not a bare message
    assert re.search(r'<a class="button" href="[^"]+">返回</a>', text)  # a way back
    for needle in expected:
        assert needle in text, (needle, text[:2000])
    assert '"code"' not in text and "message_zh" not in text  # not JSON
    return text


def test_error_pages_for_people_and_json_for_programs(gateway_app, http):
    @gateway_app.route("/boom-for-test")
    def boom():  # an unexpected crash inside a page
        raise RuntimeError("secret internals")

    client = gateway_app.test_client()
    # Not logged in: an unknown page is a page, an unknown API path is JSON.
    _assert_error_page(client.get("/no/such/page", headers=HTML), 404, "页面不存在")
    api = client.get("/api/no/such/thing", headers=HTML)
    assert api.status_code == 404 and api.is_json and api.json["code"] == "not_found"

    csrf = _web_login(client, "2023010101")
    text = _assert_error_page(client.get("/no/such/page", headers=HTML), 404, "页面不存在", "退出登录")
    assert "The requested URL" not in text  # werkzeug's English text is not shown

    # 405: a GET-only page posted to.
    _assert_error_page(client.post("/my", data={"csrf_token": csrf}, headers=HTML), 405, "不支持该操作")

    # 403: a form without its token (role gating of page shells is tested with the pages).
    text = _assert_error_page(client.post("/logout", data={}, headers=HTML), 403, "页面已过期")
    assert "csrf_token" not in text.split("</header>", 1)[1].replace('name="csrf_token"', "")

    # 413: more than the upload limit (200 KB in the test configuration), stated on the page.
    big = client.post("/applications/x/attachments", data={"csrf_token": csrf, "kind": "application_form",
                                                            "file": (io.BytesIO(b"0" * 2_000_000), "big.pdf")},
                      content_type="multipart/form-data", headers=HTML)
    _assert_error_page(big, 413, "上传的文件过大", "195 KB")

    # 500: the page says it was logged; the exception's text stays in the log.
    text = _assert_error_page(client.get("/boom-for-test", headers=HTML), 500, "系统出错了")
    assert "secret internals" not in text and "RuntimeError" not in text
    crash = client.get("/boom-for-test", headers={"Accept": "application/json"})
    assert crash.status_code == 500 and crash.json["code"] == "internal_error"

    # A service's refusal on a page names no field code or id.
    text = _assert_error_page(client.get("/applications/app_doesnotexist", headers=HTML), 404)
    main = re.sub(r"<[^>]+>", " ", text.split("<main", 1)[1].split("</main>", 1)[0])
    assert "app_doesnotexist" not in main and "app_" not in main, main
