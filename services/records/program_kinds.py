"""Fact kinds that programs declare (``fact_kinds``, typed by core.declaration),
registered as ``<program>:<code>`` next to the built-in catalog (domain/kinds.py).

A registration is stored (collection ``program_kinds``, one document per kind, the
newest version's spec) and added to this process's catalog; every records process
reloads the stored kinds at most every `REFRESH_SECONDS`, so a kind registered through
one copy of the service is known to all within seconds. A kind's code is namespaced
by the program that declares it; a code of the built-in catalog, or a Chinese label
already naming another kind, is refused with ValidationFailed and nothing is stored.
"""
import time

from core.declaration import fact_kind_code
from core.errors import field_error, invalid
from services.records.domain import kinds as catalog

REFRESH_SECONDS = 5
_loaded = {"at": None}


def register_program(store, declaration, now):
    """Keep the program's own fact kinds; {"kinds": [codes]} (none: nothing kept)."""
    specs = declaration.get("fact_kinds") or []
    made = [catalog.kind_from_spec(fact_kind_code(declaration["name"], spec["code"]), spec) for spec in specs]
    problems = catalog.kind_conflicts(made)
    if problems:
        raise invalid([field_error(*p) for p in problems])
    for kind, spec in zip(made, specs):
        store.save_program_kind(kind.code, declaration["name"], declaration["version"], spec, now)
    catalog.register(made)
    return {"kinds": [k.code for k in made], "version": declaration["version"]}


def refresh(store, force=False):
    """Load the stored program kinds into this process's catalog when due."""
    now = time.monotonic()
    if not force and _loaded["at"] is not None and now - _loaded["at"] < REFRESH_SECONDS:
        return
    catalog.register([catalog.kind_from_spec(doc["_id"], doc["spec"]) for doc in store.program_kinds()])
    _loaded["at"] = now
