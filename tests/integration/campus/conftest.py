"""Campus sign-in against real servers the tests start: django-cas-server and slapd
(tests/integration/campus/servers.py), configured in the platform's CAMPUS_SIGN_IN."""
import pytest

from tests.integration.campus.servers import PEOPLE, CasServer, LdapServer

CAMPUS_PASSWORD = "Campus@2026"
CAMPUS_USERS = {
    "liming": {"password": CAMPUS_PASSWORD, "employeeNumber": "2023010101", "cn": "李明"},
    "stranger": {"password": CAMPUS_PASSWORD, "employeeNumber": "2099999999", "cn": "陌生人"},
}


@pytest.fixture(scope="session")
def cas_server():
    server = CasServer(CAMPUS_USERS, service_prefix="http://localhost/")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ldap_server():
    server = LdapServer(CAMPUS_USERS)
    yield server
    server.stop()


@pytest.fixture
def config(config, cas_server, ldap_server):
    config["CAMPUS_SIGN_IN"] = {
        "CAS": {"enabled": True, "server_url": cas_server.url, "number_attribute": "employeeNumber",
                "timeout_seconds": 5},
        "LDAP": {"enabled": True, "url": ldap_server.url, "base_dn": PEOPLE, "user_attribute": "uid",
                 "number_attribute": "employeeNumber", "timeout_seconds": 5},
    }
    return config
