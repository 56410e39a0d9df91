"""The accounts service (账号与登录): log-in, passwords, resets, disabling, log-out
revocations and campus sign-in (CAS, LDAP).

Run with: nameko run --config deploy/config.yml services.accounts.service:AccountsService

A process of its own: a log-in storm (argon2 is slow on purpose) never takes the CPU,
the workers or the queue that serve everything else, and argon2 runs in eventlet's
thread pool (``tpool``), so it never stalls this process's event loop either. It owns
the database ``<prefix>_accounts`` (services/accounts/store.py): credentials, log-in
attempts, reset-token digests, revocations and the account audit; people come from
the applications service's directory over RPC (services/accounts/people.py). The
hashes and reset tokens never leave it.
"""
import logging
import time

from eventlet import tpool
from eventlet.semaphore import Semaphore
from nameko.timer import timer

import core.rpc_errors  # noqa: F401  (typed errors cross RPC)
from core import probes
from core.bus import RpcProxy
from core.entrypoints import rpc
from core.errors import NotFound, ValidationFailed
from core.forms import load_or_raise
from core.mongo import Repository
from services.accounts import accounts, campus_sign_in
from services.accounts.domain.rules import RESET_TTL_SECONDS, Limits
from services.accounts.people import People
from services.accounts.schemas import (
    ChangePassword, Credentials, DisableInput, ResetInput, ResetRequest, SeedPasswords, SetPassword,
)
from services.accounts.store import AccountStore

log = logging.getLogger(__name__)

RESET_PATH = "/account/reset"

# argon2 takes ~64 MiB and a core for a while: more at once than a few only queues in
# the thread pool and the memory; a log-in waits its turn here (a cheap green wait).
_HASHING = Semaphore(4)


def _offload(fn, *args):
    with _HASHING:
        return tpool.execute(fn, *args)


def _login_view(person, account):
    return {**person, "must_change_password": bool(account.get("must_change"))}


class AccountsService(probes.Probed):
    name = "accounts"

    store = Repository(AccountStore, "accounts")
    applications = RpcProxy("applications")
    notifications = RpcProxy("notifications")

    # -- helpers (not entrypoints) -------------------------------------------
    @property
    def _config(self):
        return self.store.config

    @property
    def _passwords(self):
        return accounts.Passwords(_offload)

    @property
    def _limits(self):
        return Limits.from_config(self._config.get("LOGIN"))

    @property
    def _ttl(self):
        """Seconds a token lives: a revocation is kept that long."""
        return int((self._config.get("GATEWAY") or {}).get("TOKEN_TTL_MINUTES", 480)) * 60

    @property
    def _people(self):
        return People(self.applications)

    def _actor(self, actor_id):
        """The acting person with the roles in force (the directory decides)."""
        return self.applications.internal_actor(actor_id)

    def _reset_url(self, token):
        base = (self._config.get("NOTIFICATIONS") or {}).get("PUBLIC_URL") or "http://127.0.0.1:8000"
        return f"{base.rstrip('/')}{RESET_PATH}?token={token}"

    @rpc
    def ping(self):
        return "pong"

    # -- sign-in ---------------------------------------------------------------
    @rpc
    def authenticate(self, credentials, client=None):
        """The person (with `must_change_password`) for a local or LDAP log-in."""
        data = load_or_raise(Credentials, credentials)
        now = time.time()
        if data["method"] == "ldap":
            return self._ldap_login(data, client, now)
        person, account = accounts.authenticate(self.store, self._people, self._passwords, self._limits, data["login"],
                                                data["password"], client, now)
        return _login_view(person, account)

    def _ldap_login(self, data, client, now):
        settings = campus_sign_in.ldap_settings(self._config)
        if settings is None:
            raise ValidationFailed("Campus LDAP sign-in is not configured here.", "本平台未启用 LDAP 统一身份认证",
                                   field="method")
        login, client = data["login"].strip(), accounts._client(client)
        accounts.check_throttle(self.store, self._limits, f"ldap:{login}", client, now)
        attempt = self.store.begin_attempt(f"ldap:{login}", client, now)
        number = campus_sign_in.ldap_number(settings, login, data["password"])  # network-bound: green sockets
        self.store.attempt_succeeded(attempt, f"ldap:{login}", client, now)
        return _login_view(*accounts.campus_person(self.store, self._people, number, client, now, "LDAP"))

    @rpc
    def cas_login(self, ticket, service_url, client=None):
        """The person a CAS 3.0 service ticket vouches for (validated at the CAS
        server's /p3/serviceValidate for exactly `service_url`)."""
        settings = campus_sign_in.cas_settings(self._config)
        if settings is None:
            raise ValidationFailed("Campus CAS sign-in is not configured here.", "本平台未启用统一身份认证（CAS）",
                                   field="ticket")
        user, attributes = campus_sign_in.validate_cas_ticket(settings, ticket, service_url)
        number = campus_sign_in.cas_number(settings, user, attributes)
        return _login_view(*accounts.campus_person(self.store, self._people, number, client, time.time(), "CAS"))

    # -- the person's own account ---------------------------------------------
    @rpc
    def change_password(self, actor_id, payload, client=None):
        data = load_or_raise(ChangePassword, payload)
        person, account = accounts.change_password(
            self.store, self._people, self._passwords, self._limits, actor_id, data["current_password"], data["new_password"],
            client, time.time(), self._ttl)
        return _login_view(person, account)

    @rpc
    def request_reset(self, payload, client=None):
        """Self-service: e-mails a one-time link when the login exists, has an
        address and e-mail is configured. The answer is the same either way (no
        enumeration); requests are throttled per address and login."""
        data = load_or_raise(ResetRequest, payload)
        now, login = time.time(), data["login"].strip()
        client = "reset@" + accounts._client(client)  # its own budget: asking for links never blocks log-ins
        accounts.check_throttle(self.store, self._limits, f"reset:{login}", client, now)
        self.store.begin_attempt(f"reset:{login}", client, now)  # limits the requests per address and login
        person = self._people.by_login(login)
        if person and person.get("email") and not self.store.account(person["id"]).get("disabled"):
            self._mail_reset(person, now, created_by=person["id"])
        return {"accepted": True}

    @rpc
    def reset_password(self, payload):
        data = load_or_raise(ResetInput, payload)
        person = accounts.reset_password(self.store, self._people, self._passwords, data["token"], data["new_password"],
                                         time.time(), self._ttl)
        return {"person_id": person["id"], "login": person.get("login")}

    @rpc
    def revoke_token(self, person_id, jti, expires):
        """Log-out: the token `jti` is refused from now on."""
        accounts.revoke_token(self.store, person_id, jti, expires, time.time())
        return {"revoked": True}

    @rpc
    def revocations_since(self, at=0):
        """Revocations recorded after `at` (epoch seconds) that still matter: each
        {"sub", "jti"} (one token) or {"sub", "not_before"} (every earlier token)."""
        return self.store.revocations_since(float(at or 0), time.time())

    # -- administrators ----------------------------------------------------------
    @rpc
    def find_account(self, actor_id, login):
        person = self._people.by_login((login or "").strip())
        if person is None:
            raise NotFound(f"No account with login {login!r}.", f"没有账号为 {login} 的人员", field="login")
        return accounts.get_account(self.store, self._people, self._actor(actor_id), person["id"])

    @rpc
    def get_account(self, actor_id, person_id):
        view = accounts.get_account(self.store, self._people, self._actor(actor_id), person_id)
        trail = self.store.audit_trail(person_id)
        names = {pid: (self._people.by_id(pid) or {}).get("name", "") for pid in {e["by"]["id"] for e in trail}}
        view["history"] = [{"action": e["action"], "by": names.get(e["by"]["id"], ""), "reason": e["reason"],
                            "at": e["at"]} for e in trail]
        return view

    @rpc
    def set_password(self, actor_id, person_id, payload):
        data = load_or_raise(SetPassword, payload)
        return accounts.set_password(self.store, self._people, self._passwords, self._actor(actor_id), person_id,
                                     data["password"], data["must_change"], time.time(), self._ttl)

    @rpc
    def issue_reset(self, actor_id, person_id, channel="link"):
        """A one-time reset link: returned to the administrator to hand over
        (`link`), or e-mailed to the person (`email`, when configured)."""
        actor = self._actor(actor_id)
        now = time.time()
        if channel == "email":
            person = accounts.get_account(self.store, self._people, actor, person_id)  # may the actor manage it?
            if not person.get("email"):
                raise ValidationFailed("This person has no e-mail address.", "该人员没有登记电子邮箱", field="channel")
            return self._mail_reset(self._people.by_id(person_id), now, created_by=actor["id"])
        person, token = accounts.issue_reset(self.store, self._people, actor, person_id, now, created_by=actor["id"])
        return {"channel": "link", "reset_url": self._reset_url(token), "expires_at": now + RESET_TTL_SECONDS}

    def _mail_reset(self, person, now, created_by):
        person, token = accounts.issue_reset(self.store, self._people, None, person["id"], now, created_by=created_by)
        result = self.notifications.send_private_email(
            person["email"], "创先平台：重置密码 / Reset your password",
            f"{person.get('name', '')}：\n\n请在 24 小时内打开下面的链接设置新密码（只能使用一次）：\n"
            f"{self._reset_url(token)}\n\n如果这不是您本人的操作，请忽略本邮件。\n\n"
            "Open the link above within 24 hours to set a new password (it works once). "
            "If you did not ask for this, ignore this mail.\n")
        if not result.get("sent"):
            self.store.drop_reset_tokens(person["id"])
            raise ValidationFailed(f"The e-mail could not be sent: {result.get('detail')}.",
                                   "邮件发送失败，请改用站内重置链接或稍后再试", field="channel")
        return {"channel": "email", "sent_to": _mask(person["email"])}

    @rpc
    def set_disabled(self, actor_id, person_id, payload):
        data = load_or_raise(DisableInput, payload)
        return accounts.set_disabled(self.store, self._people, self._actor(actor_id), person_id, data["disabled"],
                                     data.get("reason"), time.time(), self._ttl)

    # -- installers and demo data (internal RPC, never exposed over HTTP) ---------
    @rpc
    def seed_passwords(self, payload):
        """{"passwords": {person_id: password}}: stored as argon2 hashes (one hash per
        distinct password per call); other account fields are left alone."""
        data = load_or_raise(SeedPasswords, payload)
        hashes = {}
        for password in set(data["passwords"].values()):
            hashes[password] = self._passwords.hash(password)
        self.store.seed_hashes({pid: hashes[pw] for pid, pw in data["passwords"].items()})
        return {"people": len(data["passwords"])}

    # -- housekeeping ----------------------------------------------------------------
    @timer(interval=600)
    def sweep(self):
        now = time.time()
        self.store.sweep(now, attempts_before=now - 86400, known_before=now - 180 * 86400)


def _mask(address):
    name, _, domain = address.partition("@")
    return f"{name[:2]}***@{domain}"
