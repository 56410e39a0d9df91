"""Account rules (账号): the password policy, log-in throttling, one-time reset
tokens and who manages whose account. Plain Python, no storage.

Throttling slows an attacker without letting anyone lock a real user out:
* per client address: after `client_free` failures within the window, the address
  must wait 1, 2, 4 … seconds (at most `client_max_delay`) after its last failure;
* per account and client address: after `account_free` failures on one login from
  one address, that address must wait the same way on that login;
* per account from everywhere (a spread-out attack): after `account_spread_free`
  failures on one login, only addresses that have logged in to it before go
  straight through; others wait at most `account_spread_max_delay` seconds.
A refused attempt (429 with Retry-After) costs no password verification and is
not counted, so a real user on a normal address always gets through with the
right password.
"""
import hashlib
import math
import re
import secrets
from dataclasses import dataclass

from core import roles as role_rules
from core.errors import PermissionDenied, RateLimited, ValidationFailed

# --------------------------------------------------------------------------- passwords

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
_COMMON = {"password", "password1", "12345678", "123456789", "1234567890", "qwerty123", "abc12345", "a1234567",
           "11111111", "88888888", "iloveyou", "admin123", "demo@2026", "password123", "qwertyuiop"}
POLICY_EN = (f"A password has {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters, contains letters and "
             "digits, and is neither the login nor a common password.")
POLICY_ZH = f"密码须为 {PASSWORD_MIN_LENGTH}-{PASSWORD_MAX_LENGTH} 位，同时包含字母和数字，且不能与账号相同或过于常见"


def check_password_policy(password, login=None, field="new_password"):
    """Raises ValidationFailed naming `field` with the whole policy in both languages."""
    password = password or ""
    problems = []
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        problems.append(("length", "长度不符"))
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        problems.append(("needs letters and digits", "须同时包含字母和数字"))
    lowered = password.lower()
    if login and login.lower() in lowered:
        problems.append(("contains the login", "不能包含账号"))
    if lowered in _COMMON:
        problems.append(("too common", "过于常见"))
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        problems.append(("control characters", "含有控制字符"))
    if problems:
        en = ", ".join(p[0] for p in problems)
        zh = "，".join(p[1] for p in problems)
        raise ValidationFailed(f"{POLICY_EN} ({en})", f"{POLICY_ZH}（{zh}）", field=field,
                               details=[{"field": field, "message": POLICY_EN, "message_zh": POLICY_ZH}])


# --------------------------------------------------------------------------- throttling

@dataclass(frozen=True)
class Limits:
    window_seconds: int = 900
    client_free: int = 10
    client_max_delay: int = 300
    account_free: int = 5
    account_max_delay: int = 900
    account_spread_free: int = 20
    account_spread_max_delay: int = 60

    @classmethod
    def from_config(cls, login):
        """From the LOGIN section of the configuration (missing keys keep the defaults)."""
        login = login or {}
        names = {"WINDOW_MINUTES": "window_seconds", "CLIENT_FREE_FAILURES": "client_free",
                 "CLIENT_MAX_DELAY_SECONDS": "client_max_delay", "ACCOUNT_FREE_FAILURES": "account_free",
                 "MAX_FAILURES": "account_free", "ACCOUNT_MAX_DELAY_SECONDS": "account_max_delay",
                 "ACCOUNT_SPREAD_FREE_FAILURES": "account_spread_free",
                 "ACCOUNT_SPREAD_MAX_DELAY_SECONDS": "account_spread_max_delay"}
        values = {}
        for key, name in names.items():
            if login.get(key) is not None:
                values[name] = int(login[key]) * (60 if key == "WINDOW_MINUTES" else 1)
        return cls(**values)


@dataclass(frozen=True)
class Failures:
    """Failures counted within the window and the time (epoch seconds) of the last one."""
    count: int = 0
    last_at: float = 0.0


def delay_after(failures, free, cap):
    """Seconds to wait after the last failure: 0 for the first `free` failures, then
    1, 2, 4 … capped at `cap` (progressive delay)."""
    if failures < free:
        return 0
    return min(cap, 2 ** min(failures - free, 30))


def _wait(now, failures, free, cap):
    if failures.count < free:
        return 0
    return max(0.0, failures.last_at + delay_after(failures.count, free, cap) - now)


def throttle_wait(limits, now, client, pair, account, known_client):
    """Seconds this attempt must still wait (0: go ahead) given the failures of the
    client address, of this login from this address, and of this login from
    everywhere; `known_client`: this address logged in to this login before."""
    waits = [_wait(now, client, limits.client_free, limits.client_max_delay),
             _wait(now, pair, limits.account_free, limits.account_max_delay)]
    if not known_client:
        waits.append(_wait(now, account, limits.account_spread_free, limits.account_spread_max_delay))
    return max(waits)


def refuse_throttled(seconds):
    """The 429 for an attempt that came too early; details carry Retry-After."""
    wait = max(1, math.ceil(seconds))
    raise RateLimited(f"Too many failed log-ins from here; try again in {wait} seconds.",
                      f"登录失败次数过多，请 {wait} 秒后再试", field="login",
                      details={"retry_after_seconds": wait})


# --------------------------------------------------------------------------- reset links

RESET_TTL_SECONDS = 24 * 3600


def new_reset_token():
    """(token to hand over, its digest to store). Only the digest is ever stored."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token):
    return hashlib.sha256((token or "").encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- who manages whom

def person_units(person):
    """Every unit a person belongs to (their path, direct units and role units)."""
    units = set(person.get("path") or [])
    for key in ("school_id", "college_id", "class_id", "dorm_id", "branch_id"):
        if person.get(key):
            units.add(person[key])
    units |= {unit for _role, unit in role_rules.pairs(person.get("roles"))}
    return units


def require_account_manager(actor, person):
    """A school administrator manages every account of the school; a college
    administrator those of people in the college (not school administrators).
    Nobody resets or disables themselves here (they use their own password page).
    `actor` and `person` are directory views with the roles in force."""
    if actor["id"] == person["id"]:
        raise PermissionDenied("Use your own account page to change your password.", "请在“我的账号”中修改自己的密码",
                               field="person_id")
    units = person_units(person)
    if role_rules.units_with(actor.get("roles"), "school_admin") & units:
        return
    target_is_school_admin = bool(role_rules.units_with(person.get("roles"), "school_admin"))
    if role_rules.units_with(actor.get("roles"), "college_admin") & units and not target_is_school_admin:
        return
    raise PermissionDenied("Only the school's or this person's college's administrator manages this account.",
                           "只有学校管理员或其所在学院的管理员可以管理该账号", field="person_id")
