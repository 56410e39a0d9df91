"""Account rules: password policy, progressive throttling, reset tokens, who manages whom."""
import pytest

from core.errors import PermissionDenied, RateLimited, ValidationFailed
from services.accounts.accounts import Passwords
from services.accounts.domain import rules

LIMITS = rules.Limits()


@pytest.mark.parametrize("password", ["short1", "lettersonly", "12345678901", "abc12345", "2023010101ab",
                                      "good\x00pass1"])
def test_weak_passwords_are_refused_with_a_bilingual_message(password):
    with pytest.raises(ValidationFailed) as raised:
        rules.check_password_policy(password, login="2023010101")
    assert raised.value.field == "new_password"
    assert "字母和数字" in raised.value.message_zh and "letters and digits" in raised.value.message_en


def test_a_good_password_passes():
    rules.check_password_policy("Campus2026x", login="2023010101")


def test_delay_is_progressive_and_capped():
    assert [rules.delay_after(n, 5, 900) for n in range(4, 9)] == [0, 1, 2, 4, 8]
    assert rules.delay_after(40, 5, 900) == 900


def test_a_client_over_its_limit_waits_but_another_client_does_not():
    now = 10_000.0
    attacker = rules.Failures(12, now - 1)
    pair = rules.Failures(12, now - 1)
    account = rules.Failures(12, now - 1)
    assert rules.throttle_wait(LIMITS, now, attacker, pair, account, known_client=False) > 0
    # the real user on another address: no failures of its own, the account's 12 are under the spread limit
    assert rules.throttle_wait(LIMITS, now, rules.Failures(), rules.Failures(), account, known_client=False) == 0


def test_a_spread_attack_slows_new_addresses_only_and_never_for_long():
    now = 10_000.0
    account = rules.Failures(500, now)
    wait_new = rules.throttle_wait(LIMITS, now, rules.Failures(), rules.Failures(), account, known_client=False)
    assert 0 < wait_new <= LIMITS.account_spread_max_delay
    assert rules.throttle_wait(LIMITS, now, rules.Failures(), rules.Failures(), account, known_client=True) == 0


def test_the_wait_runs_out():
    now = 10_000.0
    failures = rules.Failures(LIMITS.client_free + 2, now - 5)  # 4 s delay, 5 s ago
    assert rules.throttle_wait(LIMITS, now, failures, rules.Failures(), rules.Failures(), False) == 0


def test_refusal_carries_retry_after():
    with pytest.raises(RateLimited) as raised:
        rules.refuse_throttled(3.2)
    assert raised.value.details == {"retry_after_seconds": 4} and "4 秒" in raised.value.message_zh


def test_limits_from_config():
    limits = rules.Limits.from_config({"WINDOW_MINUTES": 10, "MAX_FAILURES": 3, "CLIENT_FREE_FAILURES": 7})
    assert (limits.window_seconds, limits.account_free, limits.client_free) == (600, 3, 7)


def test_reset_tokens_are_stored_as_digests():
    token, digest = rules.new_reset_token()
    assert len(token) >= 40 and digest == rules.token_digest(token) and token not in digest


def _person(pid, college="college_me", roles=()):
    return {"id": pid, "school_id": "school", "college_id": college, "roles": list(roles)}


def _actor(pid, role, unit):
    return {"id": pid, "roles": [{"role": role, "unit_id": unit}]}


def test_school_admin_manages_everyone_college_admin_only_their_college():
    school_admin = _actor("p_admin", "school_admin", "school")
    college_admin = _actor("p_ca", "college_admin", "college_me")
    rules.require_account_manager(school_admin, _person("p_1"))
    rules.require_account_manager(college_admin, _person("p_1"))
    with pytest.raises(PermissionDenied):
        rules.require_account_manager(college_admin, _person("p_2", college="college_em"))
    with pytest.raises(PermissionDenied):  # not the school's administrators
        rules.require_account_manager(college_admin, _person("p_3", roles=[{"role": "school_admin",
                                                                             "unit_id": "school"}]))
    with pytest.raises(PermissionDenied):
        rules.require_account_manager(_actor("p_s", "student", "class_1"), _person("p_1"))
    with pytest.raises(PermissionDenied):  # not oneself
        rules.require_account_manager(school_admin, _person("p_admin"))


def test_unknown_login_costs_a_verification_too():
    calls = []
    passwords = Passwords(lambda fn, *args: calls.append(fn.__name__) or fn(*args))
    assert passwords.verify(None, "whatever") is False
    stored = passwords.hash("Campus2026x")
    assert passwords.verify(stored, "Campus2026x") is True and passwords.verify(stored, "nope") is False
    assert calls.count("_verify") == 3
