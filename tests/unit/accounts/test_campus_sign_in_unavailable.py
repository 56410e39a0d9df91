"""A campus sign-in server that does not answer is a clear 503-type error naming the
server, never a crash (real sockets on a port nothing listens on)."""
import socket

import pytest

from core.errors import CampusSignInUnavailable, Unauthenticated, ValidationFailed
from services.accounts import campus_sign_in


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends


def test_ldap_down_is_unavailable():
    settings = {"url": f"ldap://127.0.0.1:{_closed_port()}", "base_dn": "ou=people,dc=x", "timeout_seconds": 1}
    with pytest.raises(CampusSignInUnavailable) as raised:
        campus_sign_in.ldap_number(settings, "liming", "secret")
    assert "LDAP" in raised.value.message_zh


def test_ldap_needs_a_password():
    with pytest.raises(Unauthenticated):
        campus_sign_in.ldap_number({"url": "ldap://127.0.0.1:1", "base_dn": "dc=x"}, "liming", "")


def test_cas_down_is_unavailable_and_a_bad_ticket_is_refused_before_asking():
    settings = {"server_url": f"http://127.0.0.1:{_closed_port()}/cas", "timeout_seconds": 1}
    with pytest.raises(CampusSignInUnavailable):
        campus_sign_in.validate_cas_ticket(settings, "ST-1-abc", "http://localhost/auth/cas/callback")
    with pytest.raises(ValidationFailed):
        campus_sign_in.validate_cas_ticket(settings, "not-a-ticket", "http://localhost/auth/cas/callback")


def test_settings_are_off_unless_enabled():
    assert campus_sign_in.cas_settings({"CAMPUS_SIGN_IN": {"CAS": {"enabled": False, "server_url": "x"}}}) is None
    assert campus_sign_in.cas_settings({"CAMPUS_SIGN_IN": {"CAS": {"enabled": "true", "server_url": "x"}}})
    assert campus_sign_in.ldap_settings({}) is None
