"""Every service, program and dependency provider takes its consuming extensions
from core.bus: nameko's own `rpc`, `event_handler`, `RpcProxy` and `ReplyListener`
kill the whole service process when the broker goes away at the wrong moment."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
FORBIDDEN = re.compile(
    r"from nameko\.(rpc|events) import [^\n]*\b(rpc|event_handler|RpcProxy|ReplyListener)\b(?! as Nameko)")


def python_files():
    for top in ("core", "services", "plugins"):
        for folder, _dirs, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if name.endswith(".py") and os.path.join(folder, name) != os.path.join(ROOT, "core", "bus.py"):
                    yield os.path.join(folder, name)


def test_no_service_uses_nameko_consumers_that_die_with_the_broker():
    offenders = []
    for path in python_files():
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if FORBIDDEN.search(line):
                    offenders.append(f"{os.path.relpath(path, ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "import these from core.bus instead:\n" + "\n".join(offenders)


def test_the_check_sees_an_offending_import():
    assert FORBIDDEN.search("from nameko.rpc import RpcProxy, rpc")
    assert FORBIDDEN.search("from nameko.events import EventDispatcher, event_handler")
    assert not FORBIDDEN.search("from nameko.events import EventDispatcher")
    assert not FORBIDDEN.search("from nameko.rpc import ServiceProxy")
