"""The notifications service on the real bus and database, with real local
receivers: an aiosmtpd SMTP server (its own process, writing a Maildir) and an
HTTP receiver for webhooks (an eventlet WSGI server in this process), both on
127.0.0.1 only.

Retries are made fast here through the service's own configuration
(``NOTIFICATIONS.CHANNELS.<name>.retry`` / ``timeout``), not by patching code.
"""
import json
import mailbox
import os
import socket
import subprocess
import sys
import time
from email import message_from_bytes, policy

import eventlet
import eventlet.wsgi
import pytest

from deploy import demo_data
from tests.integration.helpers import campaign_payload, docx_bytes, good_form

LOOPBACK = "127.0.0.1"
SECRETARY = "2023010101"      # 李明, secretary of branch_me1 (college_me)
COUNSELOR = "counselor_me"    # 孙辅导员, counselor of college_me
ADMIN = "admin"

FAST_RETRY = {"base_seconds": 0.3, "factor": 2, "max_attempts": 3, "max_delay_seconds": 5}


def free_port():
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def wait_for(predicate, seconds=15, interval=0.05):
    """Poll until ``predicate()`` is truthy; returns its value or fails the test."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {getattr(predicate, '__name__', predicate)}")
        eventlet.sleep(interval)


# ------------------------------------------------------------------ SMTP

class SmtpSink:
    """A real SMTP server (``python -m aiosmtpd`` with its Mailbox handler) in its own
    process; ``messages()`` parses what it stored."""

    def __init__(self, folder):
        self.folder = str(folder / "Maildir")
        mailbox.Maildir(self.folder, create=True)
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"{LOOPBACK}:{self.port}",
             "-c", "aiosmtpd.handlers.Mailbox", self.folder],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection((LOOPBACK, self.port), timeout=0.5):
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("aiosmtpd did not start")
                eventlet.sleep(0.1)

    def messages(self, to=None):
        box = mailbox.Maildir(self.folder, factory=None, create=False)
        out = []
        for key in box.keys():
            with box.get_file(key) as handle:
                mail = message_from_bytes(handle.read(), policy=policy.default)
            if to is None or to in str(mail["To"]):
                out.append(mail)
        return out

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture(scope="session")
def smtp_sink(tmp_path_factory):
    sink = SmtpSink(tmp_path_factory.mktemp("maildir"))
    yield sink
    sink.stop()


# ------------------------------------------------------------------ HTTP receiver

class Receiver:
    """Webhook receiver. ``behaviour[path]`` is a list of answers taken in order (the
    last one repeats): an int status, or "hang" (never answers within the sender's
    timeout), or (status, JSON answer). Every request is kept with its query, raw body
    and headers."""

    def __init__(self):
        self.requests = []
        self.behaviour = {}
        self.hang_seconds = 5
        sock = eventlet.listen((LOOPBACK, 0))
        self.url = f"http://{LOOPBACK}:{sock.getsockname()[1]}"
        self.thread = eventlet.spawn(eventlet.wsgi.server, sock, self.app, log_output=False, log=open(os.devnull, "w"))

    def app(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        path = environ["PATH_INFO"]
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        headers["Content-Type"] = environ.get("CONTENT_TYPE", "")
        self.requests.append({"path": path, "query": environ.get("QUERY_STRING", ""), "headers": headers,
                              "body": body, "at": time.monotonic()})
        script = self.behaviour.get(path, [200])
        answer = script.pop(0) if len(script) > 1 else script[0]
        if answer == "hang":
            eventlet.sleep(self.hang_seconds)
            answer = 200
        status, reply = answer if isinstance(answer, tuple) else (answer, {"ok": answer < 300})
        start_response(f"{status} X", [("Content-Type", "application/json")])
        return [json.dumps(reply).encode()]

    def seen(self, path):
        return [r for r in self.requests if r["path"] == path]

    def stop(self):
        self.thread.kill()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


# ------------------------------------------------------------------ platform

def notifications_config(smtp_port, **sender):
    return {
        "PUBLIC_URL": "http://cx.example.edu.cn",
        "REPLAN_AFTER_SECONDS": 1,
        "SENDER": {"enabled": True, "batch": 50, "concurrency": 10, "lease_seconds": 30, **sender},
        "CHANNELS": {
            "inbox": {"retry": FAST_RETRY},
            "email": {"enabled": True, "host": LOOPBACK, "port": smtp_port, "timeout": 5,
                      "sender": "创先平台 <noreply@cx.example.edu.cn>", "retry": FAST_RETRY,
                      "rate_limit": {"per_second": 20, "burst": 20}},
            "webhook": {"timeout": {"connect": 1, "read": 0.5}, "retry": FAST_RETRY},
            "dingtalk": {"timeout": 2, "retry": FAST_RETRY},
            "wecom": {"timeout": 2, "retry": FAST_RETRY},
        },
    }


@pytest.fixture
def config(config, smtp_sink):
    """The integration config plus a NOTIFICATIONS section pointing at the local servers."""
    config["NOTIFICATIONS"] = notifications_config(smtp_sink.port)
    return config


@pytest.fixture
def extra_services():
    from services.notifications.service import NotificationsService
    return [NotificationsService]


def seed_emails(rpc, emails):
    """Give demo people e-mail addresses ({login: address}); seed_directory upserts."""
    units, people = demo_data.directory()
    chosen = [dict(p, email=emails[p["login"]]) for p in people if p["login"] in emails]
    rpc.applications.seed_directory([], chosen)


def submitted_application(http, secretary=SECRETARY):
    """Open a campaign, create, fill, attach and submit an application; its id."""
    campaign = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload())
    assert campaign.status_code == 201, campaign.json
    created = http.as_(secretary, "POST", f"/api/campaigns/{campaign.json['id']}/applications",
                       json={"form": good_form()})
    assert created.status_code == 201, created.json
    app_id = created.json["id"]
    import io
    upload = http.as_(secretary, "POST", f"/api/applications/{app_id}/attachments",
                      data={"kind": "application_form", "file": (io.BytesIO(docx_bytes()), "申请表.docx")},
                      content_type="multipart/form-data")
    assert upload.status_code == 201, upload.json
    submitted = http.as_(secretary, "POST", f"/api/applications/{app_id}/actions", json={"action": "submit"})
    assert submitted.status_code == 200, submitted.json
    return app_id


def deliveries(mongo, **query):
    return list(mongo("notifications").deliveries.find(query))
