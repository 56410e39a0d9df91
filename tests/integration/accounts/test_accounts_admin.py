"""Accounts (issue 12): an administrator sets an initial password that must be
changed at the first log-in, hands over a one-time reset link, disables and enables
an account; the password policy speaks both languages; hashes and reset tokens never
leave the service."""
import json
from urllib.parse import parse_qs, urlparse

from deploy.demo_data import DEMO_PASSWORD

REVIEWER = "p_reviewer"


def _no_secrets(body, *secrets):
    text = json.dumps(body, ensure_ascii=False)
    assert "argon2" not in text and "password_hash" not in text
    for secret in secrets:
        assert secret not in text


def test_initial_password_must_be_changed_at_first_login(http, mongo):
    weak = http.as_("admin", "PUT", f"/api/accounts/{REVIEWER}/password", json={"password": "short"})
    assert weak.status_code == 422 and weak.json["field"] == "password"
    assert "字母和数字" in weak.json["message_zh"] and "letters and digits" in weak.json["message"]

    old_session = http.login("reviewer")
    set_ = http.as_("admin", "PUT", f"/api/accounts/{REVIEWER}/password", json={"password": "Start2026ab"})
    assert set_.status_code == 200 and set_.json["must_change_password"] is True
    _no_secrets(set_.json, "Start2026ab")
    # the reviewer's sessions ended, the old password is gone
    assert http.client.get("/api/me", headers={"Authorization": f"Bearer {old_session}"}).status_code == 401
    assert http.client.post("/api/auth/login", json={"login": "reviewer", "password": DEMO_PASSWORD}).status_code == 401

    first = http.client.post("/api/auth/login", json={"login": "reviewer", "password": "Start2026ab"})
    assert first.status_code == 200 and first.json["must_change_password"] is True
    pending = {"Authorization": f"Bearer {first.json['token']}"}
    blocked = http.client.get("/api/campaigns", headers=pending)
    assert blocked.status_code == 403 and blocked.json["code"] == "password_change_required"
    assert http.client.get("/api/me", headers=pending).status_code == 200

    same = http.client.post("/api/auth/password", headers=pending,
                            json={"current_password": "Start2026ab", "new_password": "Start2026ab"})
    assert same.status_code == 422 and same.json["field"] == "new_password"
    wrong = http.client.post("/api/auth/password", headers=pending,
                             json={"current_password": "nope", "new_password": "Mine2026xyz"})
    assert wrong.status_code == 401 and wrong.json["field"] == "current_password"
    changed = http.client.post("/api/auth/password", headers=pending,
                               json={"current_password": "Start2026ab", "new_password": "Mine2026xyz"})
    assert changed.status_code == 200 and changed.json["must_change_password"] is False
    fresh = {"Authorization": f"Bearer {changed.json['token']}"}
    assert http.client.get("/api/campaigns", headers=fresh).status_code == 200
    assert http.client.get("/api/me", headers=pending).status_code == 401  # the pending token ended

    account = http.as_("admin", "GET", f"/api/accounts/{REVIEWER}").json
    assert [h["action"] for h in account["history"]][:2] == ["password_changed", "password_set"]
    assert account["history"][1]["by"] == "王管理员" or account["history"][1]["by"]
    _no_secrets(account, "Mine2026xyz")
    stored = mongo("accounts").accounts.find_one({"_id": REVIEWER})
    assert stored["password_hash"].startswith("$argon2id$") and "Mine2026xyz" not in stored["password_hash"]
    assert "password_hash" not in (mongo("applications").people.find_one({"_id": REVIEWER}) or {})


def test_a_handed_over_reset_link_works_once(http, mongo):
    issued = http.as_("admin", "POST", f"/api/accounts/{REVIEWER}/reset", json={"channel": "link"})
    assert issued.status_code == 200, issued.json
    token = parse_qs(urlparse(issued.json["reset_url"]).query)["token"][0]
    assert urlparse(issued.json["reset_url"]).path == "/account/reset"
    # only a digest is stored
    stored = list(mongo("accounts").reset_tokens.find({}))
    assert len(stored) == 1 and stored[0]["_id"] != token and token not in json.dumps(stored, default=str)
    _no_secrets(http.as_("admin", "GET", f"/api/accounts/{REVIEWER}").json, token)

    weak = http.client.post("/api/auth/password-reset", json={"token": token, "new_password": "reviewer"})
    assert weak.status_code == 422 and weak.json["field"] == "new_password"
    done = http.client.post("/api/auth/password-reset", json={"token": token, "new_password": "Fresh2026pq"})
    assert done.status_code == 200, done.json
    again = http.client.post("/api/auth/password-reset", json={"token": token, "new_password": "Other2026pq"})
    assert again.status_code == 422 and again.json["field"] == "token" and "已使用" in again.json["message_zh"]
    assert http.client.post("/api/auth/login", json={"login": "reviewer", "password": "Fresh2026pq"}).status_code == 200

    # the page the link opens
    page = http.client.get(f"/account/reset?token={token}")
    assert page.status_code == 200 and "重置密码" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_disabled_accounts_cannot_log_in_and_their_sessions_end(http):
    session = http.login("2023010101")
    auth = {"Authorization": f"Bearer {session}"}
    assert http.client.get("/api/me", headers=auth).status_code == 200

    denied = http.as_("counselor_me", "PUT", "/api/accounts/p_2023010101/disabled", json={"disabled": True})
    assert denied.status_code == 403
    off = http.as_("admin", "PUT", "/api/accounts/p_2023010101/disabled",
                   json={"disabled": True, "reason": "毕业离校"})
    assert off.status_code == 200 and off.json["disabled"] is True and off.json["disabled_reason"] == "毕业离校"
    assert http.client.get("/api/me", headers=auth).status_code == 401
    refused = http.client.post("/api/auth/login", json={"login": "2023010101", "password": DEMO_PASSWORD})
    assert refused.status_code == 403 and refused.json["message_zh"] == "该账号已停用，请联系管理员"
    # a wrong password on a disabled account says nothing more than for anyone
    wrong = http.client.post("/api/auth/login", json={"login": "2023010101", "password": "x"})
    assert wrong.status_code == 401 and wrong.json["message_zh"] == "用户名或密码错误"
    # the person and their history stay
    assert http.as_("admin", "GET", "/api/accounts?login=2023010101").json["name"] == "李明"

    on = http.as_("admin", "PUT", "/api/accounts/p_2023010101/disabled", json={"disabled": False})
    assert on.status_code == 200 and on.json["disabled"] is False
    assert http.client.post("/api/auth/login", json={"login": "2023010101", "password": DEMO_PASSWORD}).status_code == 200


def test_who_may_manage_which_account(http):
    assert http.client.get(f"/api/accounts/{REVIEWER}").status_code == 401
    assert http.client.put(f"/api/accounts/{REVIEWER}/password", json={}).status_code == 401  # 401 before the body
    assert http.as_("2023010101", "GET", f"/api/accounts/{REVIEWER}").status_code == 403
    # a college administrator manages the college's people, not another college's, not the school admin
    assert http.as_("college_admin_me", "GET", "/api/accounts/p_2023010101").status_code == 200
    assert http.as_("college_admin_me", "GET", "/api/accounts/p_2023020101").status_code == 403
    assert http.as_("college_admin_me", "PUT", "/api/accounts/p_admin/disabled",
                    json={"disabled": True}).status_code == 403
    unknown = http.as_("admin", "GET", "/api/accounts/p_nobody")
    assert unknown.status_code == 404 and unknown.json["field"] == "person_id"
    bad = http.as_("admin", "PUT", "/api/accounts/p_2023010101/disabled", json={"disabled": "maybe"})
    assert bad.status_code == 422 and bad.json["field"] == "disabled"


def test_admin_account_page_sets_password_and_makes_a_reset_link(http):
    client = http.client
    client.get("/login")
    csrf = client.get_cookie("cx_csrf").value
    assert client.post("/login", data={"login": "admin", "password": DEMO_PASSWORD, "csrf_token": csrf}).status_code == 302
    found = client.get("/admin/accounts?login=reviewer")
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/admin/accounts/{REVIEWER}")
    page = client.get(f"/admin/accounts/{REVIEWER}").get_data(as_text=True)
    assert "设置初始密码" in page and "停用账号" in page
    assert ">p_reviewer<" not in page and "p_reviewer" not in page.replace(f"/{REVIEWER}", "")  # ids only in links
    bad = client.post(f"/admin/accounts/{REVIEWER}", data={"csrf_token": csrf, "action": "set_password",
                                                           "password": "abc"})
    assert bad.status_code == 422 and "字母和数字" in bad.get_data(as_text=True)
    made = client.post(f"/admin/accounts/{REVIEWER}", data={"csrf_token": csrf, "action": "reset_link"})
    assert made.status_code == 200 and "/account/reset?token=" in made.get_data(as_text=True)
    assert "账号管理" in client.get("/").get_data(as_text=True)  # in the admin's menu
    person_page = client.get(f"/people/{REVIEWER}").get_data(as_text=True)  # and on the person's page
    assert f'href="/admin/accounts/{REVIEWER}"' in person_page

    # the reviewer, made to change the password, is sent to the change page first
    client.post(f"/admin/accounts/{REVIEWER}", data={"csrf_token": csrf, "action": "set_password",
                                                     "password": "Start2026ab", "must_change": "1"})
    client.post("/logout", data={"csrf_token": csrf})
    signed_in = client.post("/login", data={"login": "reviewer", "password": "Start2026ab", "csrf_token": csrf})
    assert signed_in.status_code == 302 and "/account/password" in signed_in.headers["Location"]
    assert "/account/password" in client.get("/").headers["Location"]
    changed = client.post("/account/password?next=/", data={
        "csrf_token": csrf, "current_password": "Start2026ab", "new_password": "Mine2026xyz",
        "repeat_password": "Mine2026xyz"})
    assert changed.status_code == 302 and changed.headers["Location"].endswith("/")
    assert client.get("/").status_code == 200
