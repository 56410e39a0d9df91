"""Settings a real installation must not run with, and the broker reachability check.

Outside demo mode every service, program and the gateway refuses to start when
  * GATEWAY_SECRET_KEY is the shipped default or shorter than 32 characters (anyone
    who knows it can sign log-in tokens), or
  * the broker user of AMQP_URI is RabbitMQ's ``guest`` (a well-known password).
The error names the setting to change. Demo mode is what `./deploy/platform up` and
`./deploy/platform test` run in: ``DEMO_MODE: true`` in the configuration, or the
environment variable ``CX_DEMO=1`` (which those two commands set).
"""
import os
import threading
import time
from urllib.parse import unquote, urlparse

from core.errors import ChuangxianError

DEFAULT_SECRET_KEY = "change-me-in-production-use-a-long-random-string"
MIN_SECRET_LENGTH = 32


class InsecureSettings(ChuangxianError):
    code = "insecure_settings"


def _truthy(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def demo_mode(config):
    return _truthy(config.get("DEMO_MODE", False)) or _truthy(os.environ.get("CX_DEMO", ""))


def broker_user(amqp_uri):
    return unquote(urlparse(amqp_uri or "").username or "guest")


def problems(config, gateway=False):
    """[(setting, english, chinese)] of what is insecure in `config` (demo mode or not)."""
    found = []
    if broker_user(config.get("AMQP_URI")) == "guest":
        found.append(("AMQP_URI", "uses RabbitMQ's guest user; create a user for the platform "
                                  "(see docs/OPERATIONS.md) and put it in AMQP_URI",
                      "使用了 RabbitMQ 的 guest 用户；请为平台创建专用用户并写入 AMQP_URI"))
    if gateway:
        secret = str((config.get("GATEWAY") or {}).get("SECRET_KEY") or "")
        if secret == DEFAULT_SECRET_KEY or len(secret) < MIN_SECRET_LENGTH:
            found.append(("GATEWAY_SECRET_KEY", f"is the default or shorter than {MIN_SECRET_LENGTH} characters; "
                                                "set a long random value (e.g. `openssl rand -hex 32`)",
                          f"为默认值或少于 {MIN_SECRET_LENGTH} 个字符；请设置足够长的随机值"))
    return found


def check_settings(config, gateway=False):
    """Raise InsecureSettings naming every insecure setting, unless in demo mode.

    Services and programs check the broker user; the gateway checks the secret key
    too (it is the one that signs tokens)."""
    if demo_mode(config):
        return
    found = problems(config, gateway=gateway)
    if found:
        names = ", ".join(name for name, _, _ in found)
        raise InsecureSettings(
            "Refusing to start outside demo mode: " + "; ".join(f"{n} {en}" for n, en, _ in found)
            + ". (`./deploy/platform up` runs in demo mode; elsewhere set CX_DEMO=1 only for a demo.)",
            "拒绝启动（非演示模式）：" + "；".join(f"{n} {zh}" for n, _, zh in found),
            field=names,
        )


_reach_lock = threading.Lock()
_reach_cache = {}  # amqp_uri -> (checked_at, reachable)
CACHE_SECONDS = 5


def broker_reachable(amqp_uri, timeout=1.5):
    """Can we open an AMQP connection to `amqp_uri` within `timeout` s? Cached for a few
    seconds so frequent probes do not open a connection each."""
    from kombu import Connection

    now = time.monotonic()
    with _reach_lock:
        cached = _reach_cache.get(amqp_uri)
    if cached and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    try:
        with Connection(amqp_uri, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
        ok = True
    except Exception:  # any failure to connect means "not reachable"
        ok = False
    with _reach_lock:
        _reach_cache[amqp_uri] = (time.monotonic(), ok)
    return ok
