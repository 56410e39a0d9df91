"""Nameko entrypoints that know a user's mistake from a crash.

`rpc` is nameko's ``rpc`` with ``expected_exceptions`` set to every typed error of
`core.errors` (a 4xx for the gateway: bad input, not found, conflict, ...). Nameko
logs an expected error at WARNING *with* its traceback; the filter installed here
turns that record into one INFO line without the traceback, so the services' logs
hold tracebacks only for what is really unexpected. It is core.bus's resilient
entrypoint, so a reply that cannot reach the broker never kills the service. Import
`rpc` from here in every service shell.
"""
import logging
import types

from core.bus import ResilientRpc as Rpc
from core.errors import ChuangxianError

EXPECTED = (ChuangxianError,)


def rpc(*args, **kwargs):
    """``@rpc`` or ``@rpc(...)``, with ``expected_exceptions=EXPECTED`` unless given."""
    kwargs.setdefault("expected_exceptions", EXPECTED)
    if len(args) == 1 and isinstance(args[0], types.FunctionType):
        return Rpc.decorator(**kwargs)(args[0])
    return Rpc.decorator(*args, **kwargs)


class QuietExpected(logging.Filter):
    """Nameko's "(expected) error handling worker" records: one INFO line, no traceback."""

    def filter(self, record):
        if isinstance(record.msg, str) and record.msg.startswith("(expected)"):
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


_QUIET = QuietExpected()
if not any(isinstance(f, QuietExpected) for f in logging.getLogger("nameko.containers").filters):
    logging.getLogger("nameko.containers").addFilter(_QUIET)
