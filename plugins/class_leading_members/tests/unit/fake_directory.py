"""An in-memory DirectoryClient: the same methods and argument order as
core/directory_client.py, people as the applications service's person views."""

UNIT_FIELDS = ("class_id", "dorm_id", "branch_id", "college_id")


class FakeDirectory:
    def __init__(self, people=(), units=()):
        self._people = [dict(p) for p in people]
        self._units = [dict(u) for u in units]
        self.calls = []

    def members(self, unit_ids):
        self.calls.append(("members", list(unit_ids)))
        wanted = set(unit_ids)
        return [dict(p) for p in self._people if any(p.get(f) in wanted for f in UNIT_FIELDS)]

    def holders(self, role_keys):
        self.calls.append(("holders", list(role_keys)))
        wanted = set(role_keys)
        return [dict(p) for p in self._people
                if any(f"{r['role']}@{r['unit_id']}" in wanted for r in p.get("roles", []))]

    def units(self, kind=None, within=None):
        self.calls.append(("units", kind, within))
        return [dict(u) for u in self._units if (kind is None or u["kind"] == kind)
                and (within is None or within in u["path"])]


def student(person_id, college_id="college_me", class_id=None, **extra):
    return {"id": person_id, "name": person_id, "college_id": college_id, "class_id": class_id,
            "roles": [{"role": "student", "unit_id": class_id}], **extra}
