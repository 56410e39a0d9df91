"""Accounts (账号): password log-in, changes, resets, disabling, revocations.

Guarantees:
* an unknown login, a known login and a disabled account cost the same work (one
  argon2 verification, against a dummy hash when there is no credential), so the
  answer time does not tell whether a login exists;
* throttling (domain/rules.py) refuses early attempts with 429 before any
  verification and never blocks the right password from an address that is not
  itself attacking;
* password hashes and reset tokens never leave this module's store: views carry
  flags only, a reset token is returned once to whoever asked and kept as a digest.
Hashing runs through `Passwords.offload`, which the service sets to a thread pool so
a log-in storm does not stall the event loop. People come from `people` (the
applications service's directory, over RPC): views with "id", "login", "roles"...
"""
import secrets
from datetime import datetime, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core import audit
from core.errors import NotFound, PermissionDenied, Unauthenticated, ValidationFailed
from services.accounts.domain import rules

# argon2id with OWASP's recommended cost (19 MiB, 2 passes, 1 lane): as strong against
# offline guessing as the library default (64 MiB, 3 passes, 4 lanes) for the same
# attacker budget by OWASP's table, at a fifth of the server's work per log-in, so a
# log-in storm costs the server less. Older hashes still verify and are upgraded at
# the next successful log-in.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def hash_password(password):
    return _hasher.hash(password)


class Passwords:
    """argon2 hashing and verification, run by `offload(fn, *args)`."""

    _dummy = None

    def __init__(self, offload=None):
        self.offload = offload or (lambda fn, *args: fn(*args))

    @classmethod
    def dummy_hash(cls):
        if cls._dummy is None:
            cls._dummy = _hasher.hash(secrets.token_hex(16))
        return cls._dummy

    def hash(self, password):
        return self.offload(_hasher.hash, password)

    def verify(self, stored_hash, password):
        """True for a match. With no stored hash the same work is done on a dummy."""
        return self.offload(_verify, stored_hash or self.dummy_hash(), password) and bool(stored_hash)


def _verify(stored_hash, password):
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


WRONG = ("Wrong login or password.", "用户名或密码错误")
DISABLED = ("This account is disabled; ask your administrator.", "该账号已停用，请联系管理员")


def _client(client):
    return (str(client) if client else "unknown")[:64]


def check_throttle(store, limits, login, client, now):
    """Raises RateLimited (with retry_after_seconds) when this attempt comes too early."""
    since = now - limits.window_seconds
    wait = rules.throttle_wait(
        limits, now,
        rules.Failures(*store.failures({"client": client}, since)),
        rules.Failures(*store.failures({"login": login, "client": client}, since)),
        rules.Failures(*store.failures({"login": login}, since)),
        store.known_client(login, client))
    if wait > 0:
        rules.refuse_throttled(wait)


def authenticate(store, people, passwords, limits, login, password, client, now):
    """(person, account) for valid credentials of an enabled account.

    Raises RateLimited, Unauthenticated (the same for an unknown login and a wrong
    password) or PermissionDenied for a disabled account with the right password."""
    login, client = login.strip(), _client(client)
    check_throttle(store, limits, login, client, now)
    attempt = store.begin_attempt(login, client, now)  # a failure until proven otherwise
    person = people.by_login(login)
    account = store.account(person["id"] if person else "\x00unknown")  # the same reads either way
    stored = account.get("password_hash") if person else None
    if not passwords.verify(stored, password):
        raise Unauthenticated(*WRONG, field="password")
    store.attempt_succeeded(attempt, login, client, now)
    if account.get("disabled"):
        raise PermissionDenied(*DISABLED, field="login")
    if _hasher.check_needs_rehash(stored):
        account = store.set_account(person["id"], password_hash=passwords.hash(password))
    return person, account


def campus_person(store, people, number, client, now, source):
    """(person, account) for a campus identity (学号/工号) that CAS or LDAP vouched for.
    An unknown identity or a disabled account is refused with a clear message."""
    person = people.by_number(number) if number else None
    if person is None:
        raise NotFound(f"The campus identity {number!r} ({source}) is not registered on this platform; "
                       "ask your administrator to add you to the directory.",
                       f"统一身份认证账号 {number} 尚未登记在本平台，请联系管理员将您加入人员名录", field="login")
    account = store.account(person["id"])
    if account.get("disabled"):
        raise PermissionDenied(*DISABLED, field="login")
    store.attempt_succeeded(None, person["login"], _client(client), now)
    return person, {**account, "must_change": 0}  # the campus owns the password


def account_view(person, account):
    """What an administrator or the person sees of an account (never the hash)."""
    account = account or {}
    return {
        "person_id": person["id"], "login": person.get("login"), "name": person.get("name"),
        "number": person.get("student_no") or person.get("staff_no"),
        "has_password": bool(account.get("password_hash")),
        "must_change_password": bool(account.get("must_change")),
        "disabled": bool(account.get("disabled")),
        "disabled_reason": account.get("disabled_reason"),
        "password_changed_at": account.get("changed_ts"),
        "email": person.get("email"),
    }


def _revoke_person(store, person_id, now, ttl_seconds):
    store.revoke({"_id": f"person:{person_id}:{now}", "sub": person_id, "not_before": now,
                  "expires": now + ttl_seconds, "at": now})


def _audit(store, person_id, action, actor_id, now, reason=None):
    """One entry of the account's trail (core/audit.py's shape); `now` is epoch
    seconds; who acted is named when the trail is shown."""
    store.audit(audit.entry(f"aa_{secrets.token_hex(10)}", "person", person_id, action,
                            {"id": actor_id, "name": None}, datetime.fromtimestamp(now, timezone.utc), reason=reason))


def set_password(store, people, passwords, actor, person_id, password, must_change, now, ttl_seconds):
    """An administrator sets a password (initial or replacement). The person must
    change it at the next log-in unless `must_change` is False; their sessions end."""
    person = _person(people, person_id)
    rules.require_account_manager(actor, person)
    rules.check_password_policy(password, person.get("login"), field="password")
    store.set_account(person_id, password_hash=passwords.hash(password), must_change=1 if must_change else 0,
                      changed_ts=now)
    store.drop_reset_tokens(person_id)
    _revoke_person(store, person_id, now, ttl_seconds)
    _audit(store, person_id, "password_set", actor["id"], now)
    return account_view(person, store.account(person_id))


def change_password(store, people, passwords, limits, person_id, current, new, client, now, ttl_seconds):
    """The person changes their own password, proving the current one (throttled
    like a log-in). Their other sessions end."""
    person = _person(people, person_id)
    account = store.account(person_id)
    login, client = person.get("login", person_id), _client(client)
    check_throttle(store, limits, login, client, now)
    attempt = store.begin_attempt(login, client, now)
    if not passwords.verify(account.get("password_hash"), current or ""):
        raise Unauthenticated("The current password is wrong.", "当前密码不正确", field="current_password")
    store.attempt_succeeded(attempt, login, client, now)
    if current == new:
        raise ValidationFailed("The new password must differ from the current one.", "新密码不能与当前密码相同",
                               field="new_password")
    rules.check_password_policy(new, person.get("login"))
    store.set_account(person_id, password_hash=passwords.hash(new), must_change=0, changed_ts=now)
    store.drop_reset_tokens(person_id)
    _revoke_person(store, person_id, now, ttl_seconds)
    _audit(store, person_id, "password_changed", person_id, now)
    return person, store.account(person_id)


def issue_reset(store, people, actor, person_id, now, created_by=None):
    """A one-time reset token for the person (valid 24 hours, replaces any earlier
    one). `actor` None: a self-service request (the caller checked the channel)."""
    person = _person(people, person_id)
    if actor is not None:
        rules.require_account_manager(actor, person)
    token, digest = rules.new_reset_token()
    store.add_reset_token(digest, person_id, now + rules.RESET_TTL_SECONDS, created_by or person_id, now)
    _audit(store, person_id, "reset_issued", created_by or person_id, now)
    return person, token


def reset_password(store, people, passwords, token, new, now, ttl_seconds):
    """Sets a new password with a one-time token; the token is spent either way
    only when the new password is acceptable."""
    digest = rules.token_digest(token)
    open_token = store.open_reset_token(digest, now)
    if not open_token:
        raise ValidationFailed("This reset link is invalid, used or expired; ask for a new one.",
                               "重置链接无效、已使用或已过期，请重新申请", field="token")
    person = _person(people, open_token["person_id"])
    rules.check_password_policy(new, person.get("login"))
    if not store.use_reset_token(digest, now):
        raise ValidationFailed("This reset link was just used.", "该重置链接刚刚已被使用", field="token")
    store.set_account(person["id"], password_hash=passwords.hash(new), must_change=0, changed_ts=now)
    _revoke_person(store, person["id"], now, ttl_seconds)
    _audit(store, person["id"], "password_reset", person["id"], now)
    return person


def set_disabled(store, people, actor, person_id, disabled, reason, now, ttl_seconds):
    """Disables (every session ends at once) or enables an account. The person and
    their history stay; only log-in is refused."""
    person = _person(people, person_id)
    rules.require_account_manager(actor, person)
    if disabled:
        store.set_account(person_id, disabled=1, disabled_reason=(reason or "")[:500], disabled_ts=now)
        store.drop_reset_tokens(person_id)
        _revoke_person(store, person_id, now, ttl_seconds)
    else:
        store.set_account(person_id, disabled=0, disabled_reason=None)
    _audit(store, person_id, "disabled" if disabled else "enabled", actor["id"], now, reason)
    return account_view(person, store.account(person_id))


def get_account(store, people, actor, person_id):
    person = _person(people, person_id)
    if actor["id"] != person_id:
        rules.require_account_manager(actor, person)
    return account_view(person, store.account(person_id))


def revoke_token(store, person_id, jti, expires, now):
    """A log-out: this one token is refused from now until it would have expired."""
    if jti:
        store.revoke({"_id": f"token:{jti}", "sub": person_id, "jti": jti, "expires": float(expires), "at": now})


def _person(people, person_id):
    person = people.by_id(person_id)
    if person is None:
        raise NotFound(f"No person {person_id!r}.", f"人员不存在：{person_id}", field="person_id")
    return person
