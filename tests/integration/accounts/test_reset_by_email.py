"""Forgotten password by e-mail: the notifications service sends the one-time link
through the configured SMTP server (a real aiosmtpd), stores nothing of it, and the
link sets a new password once. The answer never tells whether a login exists."""
import json
import re

import pytest

from deploy import demo_data
from tests.integration.notifications.conftest import SmtpSink, notifications_config, wait_for

ADDRESS = "reviewer@cx.example.edu.cn"


@pytest.fixture(scope="module")
def smtp(tmp_path_factory):
    sink = SmtpSink(tmp_path_factory.mktemp("reset-mail"))
    yield sink
    sink.stop()


@pytest.fixture
def config(config, smtp):
    config["NOTIFICATIONS"] = notifications_config(smtp.port)
    return config


@pytest.fixture
def extra_services():
    from services.notifications.service import NotificationsService
    return [NotificationsService]


def _link(mail):
    body = mail.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+/account/reset\?token=(\S+)", body)


def test_a_reset_link_is_mailed_and_works_once(http, rpc, smtp, mongo):
    _, people = demo_data.directory()
    rpc.applications.seed_directory([], [dict(p, email=ADDRESS) for p in people if p["login"] == "reviewer"])

    asked = http.client.post("/api/auth/password-reset-request", json={"login": "reviewer"})
    nobody = http.client.post("/api/auth/password-reset-request", json={"login": "no-such-login"})
    assert asked.status_code == nobody.status_code == 202 and asked.json == nobody.json == {"accepted": True}

    mail = wait_for(lambda: smtp.messages(to=ADDRESS))[-1]
    assert "重置密码" in str(mail["Subject"]) and mail["X-Chuangxian-Event"] == "account.reset"
    link = _link(mail)
    assert link and link.group(0).startswith("http://cx.example.edu.cn/account/reset?token=")
    token = link.group(1)
    # nothing of the link is kept by the notifications service; only a digest by accounts
    for name in mongo("notifications").list_collection_names():
        assert token not in json.dumps(list(mongo("notifications")[name].find({})), default=str), name
    assert token not in json.dumps(list(mongo("accounts").reset_tokens.find({})), default=str)

    assert http.client.post("/api/auth/password-reset", json={"token": token, "new_password": "Mailed2026ok"}).status_code == 200
    assert http.client.post("/api/auth/password-reset", json={"token": token, "new_password": "Again2026ok"}).status_code == 422
    assert http.client.post("/api/auth/login", json={"login": "reviewer", "password": "Mailed2026ok"}).status_code == 200

    # an administrator can send one too; the answer shows the address masked
    sent = http.as_("admin", "POST", "/api/accounts/p_reviewer/reset", json={"channel": "email"})
    assert sent.status_code == 200 and sent.json["sent_to"] == "re***@cx.example.edu.cn"
    wait_for(lambda: len(smtp.messages(to=ADDRESS)) >= 2)
    no_address = http.as_("admin", "POST", "/api/accounts/p_counselor_me/reset", json={"channel": "email"})
    assert no_address.status_code == 422 and no_address.json["field"] == "channel"
