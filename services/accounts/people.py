"""The people the accounts service signs in, from the applications service's
directory over RPC (this service never reads another's database). Each answer is a
person view: "id", "login", "name", "roles" in force, units, e-mail."""
from core.errors import NotFound


class People:
    def __init__(self, applications):
        self.applications = applications  # RpcProxy("applications")

    def by_login(self, login):
        return self.applications.internal_person_by_login(login)

    def by_number(self, number):
        """The person whose login, 学号 or 工号 is `number` (campus sign-in)."""
        return self.applications.internal_person_by_number(number)

    def by_id(self, person_id):
        try:
            return self.applications.internal_actor(person_id)
        except NotFound:
            return None
