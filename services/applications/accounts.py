"""Password log-in with argon2 hashes and a per-login failure limit.

Failures are counted in the service's database, not in a gateway process, so the
limit holds however many gateway workers there are.
"""
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import RateLimited, Unauthenticated

_hasher = PasswordHasher()


def hash_password(password):
    return _hasher.hash(password)


def authenticate(store, login, password, limits, now):
    """The person for valid credentials. Raises Unauthenticated (same message for an
    unknown login and a wrong password) and RateLimited after MAX_FAILURES failures
    within WINDOW_MINUTES."""
    window = timedelta(minutes=limits.get("WINDOW_MINUTES", 15))
    max_failures = limits.get("MAX_FAILURES", 5)
    if store.count_login_failures(login, now - window) >= max_failures:
        minutes = int(window.total_seconds() // 60)
        raise RateLimited(
            f"Too many failed log-ins; try again in {minutes} minutes.",
            f"登录失败次数过多，请 {minutes} 分钟后再试", field="login",
        )
    person = store.person_by_login(login)
    try:
        ok = bool(person and person.get("password_hash") and _hasher.verify(person["password_hash"], password))
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        store.record_login_failure(login, now)
        raise Unauthenticated("Wrong login or password.", "用户名或密码错误", field="password")
    store.clear_login_failures(login)
    return person
