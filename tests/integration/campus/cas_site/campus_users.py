"""The campus user store of the test CAS server: users and their attributes from
settings.CAS_SITE_USERS (a real campus would use its LDAP or SQL directory)."""
import hmac

from cas_server.auth import AuthUser
from django.conf import settings


class CampusUser(AuthUser):
    def _record(self):
        return settings.CAS_SITE_USERS.get(self.username)

    def test_password(self, password):
        record = self._record()
        return bool(record) and hmac.compare_digest(record["password"], password or "")

    def attributs(self):
        record = self._record() or {}
        return {k: v for k, v in record.items() if k != "password"}
