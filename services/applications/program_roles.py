"""Rater roles that programs declare (``rater_roles``, typed by core.declaration),
made known to core.roles in this service, which owns grants.

A registration stores the roles with the program's newest version (the `programs`
document) and declares them in this process; every applications process reloads the
stored roles at most every `REFRESH_SECONDS`, so a role registered through one copy of
the service is grantable through all within seconds. A declared role that names the
platform key it had before (``formerly``) takes over that key's grants at
registration: they are moved to the new key, so no grant is lost and no one holds the
old key afterwards (campaigns pinned to a version naming the old key are scored by
holders of the new one: services/scoring/reviewing.py).

Other processes (the gateway, scoring) ask `role_catalogue` rather than keep a copy.
"""
import time

from core import roles as role_rules
from services.applications.domain import role_grants

REFRESH_SECONDS = 5
_loaded = {"at": None}


def register_program(store, declaration, now):
    """Declare the program's rater roles here and move grants of their former keys;
    {"rater_roles": [stored keys], "moved": people whose grants moved}."""
    specs = declaration.get("rater_roles") or []
    role_rules.declare(declaration["name"], specs)
    moved = 0
    for spec in specs:
        if spec.get("formerly"):
            new = role_rules.rater_role_key(declaration["name"], spec["key"])
            moved += store.move_role(spec["formerly"],
                                     lambda person_id, role: role_grants.renamed(person_id, role, new), now)
    return {"rater_roles": [role_rules.rater_role_key(declaration["name"], s["key"]) for s in specs], "moved": moved}


def refresh(store, force=False):
    """Load the stored programs' rater roles into this process's core.roles when due."""
    now = time.monotonic()
    if not force and _loaded["at"] is not None and now - _loaded["at"] < REFRESH_SECONDS:
        return
    for program in store.list_programs():
        role_rules.declare(program["_id"], program.get("rater_roles") or [])
    _loaded["at"] = now
