"""Make every typed error in core.errors cross Nameko RPC as itself.

Nameko re-creates a remote exception locally only when its dotted path is in
`nameko.exceptions.registry`; importing this module (services and gateway do) puts
a rebuilder for every class of core.errors there, so `except NotFound` works across
the bus with field, details and both messages intact.
"""
from nameko.exceptions import registry

from core import errors

for _cls in errors.ALL_ERRORS:
    registry[f"{_cls.__module__}.{_cls.__name__}"] = _cls.from_wire
