"""Real local servers for the notification channel tests (loopback only).

- ``smtp_server``: an aiosmtpd SMTP server on 127.0.0.1 that keeps what it receives;
  ``smtp_tls_server``: the same with STARTTLS + AUTH, and ``smtp_ssl_server`` with
  implicit TLS, both on a throw-away self-signed certificate made with ``openssl``.
- ``http_receiver``: a threaded ``http.server`` on 127.0.0.1 answering from a script
  of responses and keeping every request (headers and raw body).
- ``silent_port``: a listening socket that never accepts, for timeouts.
"""
import json
import shutil
import socket
import ssl
import subprocess
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from core.envelope import make_event

LOOPBACK = "127.0.0.1"


def free_port():
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


class SmtpCollector:
    """aiosmtpd handler: keeps (mail_from, rcpt_tos, raw bytes); can refuse recipients."""

    def __init__(self):
        self.received = []
        self.refuse = {}          # address -> "550 …" / "450 …"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append({"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos),
                              "content": envelope.original_content or envelope.content,
                              "login": getattr(session, "login_data", None)})
        return "250 Message accepted"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"mailer" and auth_data.password == b"s3cret-pw"
    return AuthResult(success=ok, handled=False)


def _start(controller):
    controller.start()
    return controller


@pytest.fixture
def smtp_server():
    handler = SmtpCollector()
    controller = _start(Controller(handler, hostname=LOOPBACK, port=free_port()))
    handler.host, handler.port = LOOPBACK, controller.port
    yield handler
    controller.stop()


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no certificate for the TLS tests")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True)
    return str(cert), str(key)


def _server_context(tls_files):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*tls_files)
    return context


@pytest.fixture
def smtp_tls_server(tls_files):
    handler = SmtpCollector()
    controller = _start(Controller(
        handler, hostname=LOOPBACK, port=free_port(), tls_context=_server_context(tls_files),
        require_starttls=True, authenticator=_authenticator, auth_required=True, auth_require_tls=True))
    handler.host, handler.port, handler.ca_file = LOOPBACK, controller.port, tls_files[0]
    yield handler
    controller.stop()


@pytest.fixture
def smtp_ssl_server(tls_files):
    handler = SmtpCollector()
    controller = _start(Controller(
        handler, hostname=LOOPBACK, port=free_port(), ssl_context=_server_context(tls_files),
        # aiosmtpd does not count implicit TLS as TLS for AUTH; the socket is TLS anyway
        authenticator=_authenticator, auth_required=True, auth_require_tls=False))
    handler.host, handler.port, handler.ca_file = LOOPBACK, controller.port, tls_files[0]
    yield handler
    controller.stop()


class Receiver:
    """What the local HTTP receiver saw and how it answers."""

    def __init__(self):
        self.requests = []
        self.script = []          # list of (status, body dict|str, headers); the last one repeats
        self.check = None         # callable(request) -> (status, body) | None, e.g. a signature check
        self.lock = threading.Lock()

    def answer(self, request):
        if self.check:
            verdict = self.check(request)
            if verdict:
                return verdict + ({},) if len(verdict) == 2 else verdict
        with self.lock:
            if not self.script:
                return 200, {"ok": True}, {}
            entry = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        return entry if len(entry) == 3 else entry + ({},)


@pytest.fixture
def http_receiver():
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            request = {"path": self.path, "headers": {k: v for k, v in self.headers.items()}, "body": body}
            with receiver.lock:
                receiver.requests.append(request)
            status, payload, headers = receiver.answer(request)
            raw = payload if isinstance(payload, bytes) else (
                payload.encode() if isinstance(payload, str) else json.dumps(payload).encode())
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    receiver.url = f"http://{LOOPBACK}:{server.server_address[1]}"
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def silent_port():
    """A port that accepts TCP connections (kernel backlog) but never answers."""
    sock = socket.socket()
    sock.bind((LOOPBACK, 0))
    sock.listen(8)
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture
def closed_port():
    """A port nobody listens on (connection refused)."""
    return free_port()


# ------------------------------------------------------------------ events

APPLICATION_DATA = {
    "application_id": "app-0042", "campaign_id": "camp-2024-pilot-jd", "program": "pilot_branches",
    "applicant_id": "branch-jd-03", "applicant_name": "机电学院学生第三党支部", "unit_id": "branch-jd-03",
    "college_id": "col-jd", "state": "returned", "from_state": "submitted", "reason": "预算明细不完整",
    "applicant_user_ids": ["u-sec", "u-dep"], "counselor_ids": ["u-coun"],
}


@pytest.fixture
def returned_event():
    return make_event("application.returned", dict(APPLICATION_DATA), "applications",
                      actor={"id": "u-coun", "name": "王老师"}, event_id="evt-returned-1",
                      occurred_at=datetime(2024, 9, 20, 3, 15, tzinfo=timezone.utc))


def grant_event(event_id="evt-grant-1", **extra):
    data = {"grant_id": "grant-0042", "campaign_id": "camp-1", "project_id": "app-0042", "tier": "key",
            "amount_fen": 500000, **extra}
    return make_event("grant.awarded", data, "funding", actor={"id": "u-adm", "name": "张老师"},
                      event_id=event_id)


@pytest.fixture
def make_grant_event():
    return grant_event
