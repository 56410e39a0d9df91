"""SmtpChannel against a real aiosmtpd server on 127.0.0.1."""
from datetime import datetime, timezone
from email import message_from_bytes, policy

import pytest

from services.notifications.channels import SmtpChannel
from services.notifications.domain import deliveries as dl


def message(**changes):
    base = {"delivery_id": "d" * 64, "event_id": "evt-1", "event_type": "application.returned",
            "recipient": "user:u-sec", "to": "sec@example.edu.cn", "attempt": 1, "lang": "zh",
            "subject": "【创先】申报被退回：机电学院学生第三党支部",
            "body": "李书记您好：\n\n申报已被 王老师 退回。\n退回原因：预算明细不完整\n"}
    base.update(changes)
    return base


def parse(raw):
    return message_from_bytes(raw, policy=policy.default)


def test_plain_smtp_delivers_a_utf8_mime_message(smtp_server):
    channel = SmtpChannel({"host": smtp_server.host, "port": smtp_server.port,
                           "sender": "创先平台 <noreply@example.edu.cn>", "reply_to": "xgb@example.edu.cn"})
    result = channel.send(message())
    assert result.ok and not result.retryable and result.status == 250
    assert len(smtp_server.received) == 1
    got = smtp_server.received[0]
    assert got["mail_from"] == "noreply@example.edu.cn" and got["rcpt_tos"] == ["sec@example.edu.cn"]
    mail = parse(got["content"])
    assert mail["Subject"] == "【创先】申报被退回：机电学院学生第三党支部"
    assert b"=?utf-8?" in got["content"].split(b"\r\n\r\n")[0]        # RFC 2047 encoded header on the wire
    assert str(mail["From"]) == "创先平台 <noreply@example.edu.cn>"
    assert mail["To"] == "sec@example.edu.cn" and mail["Reply-To"] == "xgb@example.edu.cn"
    assert mail["Message-ID"] == f"<{'d' * 64}@example.edu.cn>"
    assert mail["X-Chuangxian-Event"] == "application.returned"
    assert mail.get_content_type() == "text/plain" and mail.get_content_charset() == "utf-8"
    assert mail.get_content().replace("\r\n", "\n") == message()["body"]     # CRLF is canonical on the wire


def test_starttls_with_login(smtp_tls_server):
    channel = SmtpChannel({"host": smtp_tls_server.host, "port": smtp_tls_server.port, "starttls": True,
                           "ca_file": smtp_tls_server.ca_file, "username": "mailer", "password": "s3cret-pw",
                           "sender": "noreply@example.edu.cn"}, name="email")
    result = channel.send(message(to="advisor@example.edu.cn", subject="English subject", lang="en"))
    assert result.ok, result.detail
    got = smtp_tls_server.received[0]
    assert got["rcpt_tos"] == ["advisor@example.edu.cn"]
    assert parse(got["content"])["Subject"] == "English subject"


def test_wrong_password_is_retryable(smtp_tls_server):
    channel = SmtpChannel({"host": smtp_tls_server.host, "port": smtp_tls_server.port, "starttls": True,
                           "ca_file": smtp_tls_server.ca_file, "username": "mailer", "password": "wrong",
                           "sender": "noreply@example.edu.cn"})
    result = channel.send(message())
    assert not result.ok and result.retryable and "authentication" in result.detail
    assert smtp_tls_server.received == []


def test_untrusted_certificate_is_refused_and_retryable(smtp_tls_server):
    channel = SmtpChannel({"host": smtp_tls_server.host, "port": smtp_tls_server.port, "starttls": True,
                           "username": "mailer", "password": "s3cret-pw", "sender": "noreply@example.edu.cn"})
    result = channel.send(message())
    assert not result.ok and result.retryable
    assert smtp_tls_server.received == []


def test_implicit_tls(smtp_ssl_server):
    channel = SmtpChannel({"host": smtp_ssl_server.host, "port": smtp_ssl_server.port, "ssl": True,
                           "ca_file": smtp_ssl_server.ca_file, "username": "mailer", "password": "s3cret-pw",
                           "sender": "noreply@example.edu.cn"})
    assert channel.send(message()).ok
    assert parse(smtp_ssl_server.received[0]["content"]).get_content().startswith("李书记您好")


def test_refused_recipient_permanent_or_temporary(smtp_server):
    smtp_server.refuse = {"gone@example.edu.cn": "550 5.1.1 no such user",
                          "full@example.edu.cn": "452 4.2.2 mailbox full"}
    channel = SmtpChannel({"host": smtp_server.host, "port": smtp_server.port, "sender": "noreply@example.edu.cn"})
    gone = channel.send(message(to="gone@example.edu.cn"))
    assert not gone.ok and not gone.retryable and "550" in gone.detail
    full = channel.send(message(to="full@example.edu.cn"))
    assert not full.ok and full.retryable and full.status == 452


def test_server_down_is_retryable_and_feeds_the_backoff(closed_port):
    channel = SmtpChannel({"host": "127.0.0.1", "port": closed_port, "sender": "noreply@example.edu.cn",
                           "timeout": 1})
    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    delivery = dl.start_attempt(dl.new_delivery("e", "grant.awarded", "user:u", "email", "u@x", message(), now), now)
    result = channel.send(dl.outgoing(delivery))
    assert not result.ok and result.retryable
    assert dl.record_result(delivery, result, delivery["updated_at"])["state"] == "failed"


def test_bad_configuration_is_refused_at_build_time():
    with pytest.raises(ValueError):
        SmtpChannel({"port": 25, "sender": "a@b"})
    with pytest.raises(ValueError):
        SmtpChannel({"host": "h", "sender": "no-address"})
    with pytest.raises(ValueError):
        SmtpChannel({"host": "h", "sender": "a@b", "ssl": True, "starttls": True})
    assert SmtpChannel({"host": "h", "sender": "a@b", "ssl": True}).port == 465
