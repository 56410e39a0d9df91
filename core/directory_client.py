"""How a program's hooks read the directory (units and people), over RPC to the
applications service, which owns it. Bound into hooks as ``self.directory``."""


class DirectoryClient:
    def __init__(self, proxy):
        self.proxy = proxy

    def members(self, unit_ids):
        """People belonging to any of these units (their class, dorm, branch or
        college), as person views: {"id", "name", "class_id", "dorm_id", "branch_id",
        "grade", "political_status", "veteran", "roles", ...}."""
        return self.proxy.internal_people(None, list(unit_ids))

    def holders(self, role_keys):
        """People holding any of these roles, e.g. ["branch_secretary@branch_me1"]."""
        return self.proxy.internal_people(list(role_keys), None)

    def units(self, kind=None, within=None):
        """Units of `kind` (school, college, class, dorm, branch) inside the unit
        `within` (on their path), e.g. every class of a school for a percentage."""
        return self.proxy.internal_units(kind, within)
