"""Campus sign-in (统一身份认证) through the real gateway against a real CAS server
(django-cas-server) and a real LDAP server (slapd): the campus identity becomes the
person with that 学号/工号; a wrong ticket or password is refused; an identity that
is not in the directory gets a clear page, never a 500; local passwords still work."""
from urllib.parse import parse_qs, urlparse

from deploy.demo_data import DEMO_PASSWORD
from tests.integration.campus.conftest import CAMPUS_PASSWORD


def _cas_ticket(http, cas_server, username, password=CAMPUS_PASSWORD):
    start = http.client.get("/auth/cas/login")
    assert start.status_code == 302 and start.headers["Location"].startswith(cas_server.url + "/login?")
    service = parse_qs(urlparse(start.headers["Location"]).query)["service"][0]
    assert service == "http://localhost/auth/cas/callback"
    return cas_server.ticket_for(start.headers["Location"], username, password)


def test_cas_ticket_signs_in_the_mapped_person(http, cas_server):
    page = http.client.get("/login").get_data(as_text=True)
    assert "统一身份认证登录" in page and 'href="/auth/cas/login' in page
    options = http.client.get("/api/auth/options").json
    assert options["cas"] is True and options["ldap"] is True and options["local"] is True

    service, ticket, back = _cas_ticket(http, cas_server, "liming")
    assert back.startswith(service)
    signed_in = http.client.get(f"/auth/cas/callback?ticket={ticket}")
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[:500]
    home = http.client.get("/")
    assert home.status_code == 200 and "李明" in home.get_data(as_text=True)
    # a service ticket works once
    replay = http.client.get(f"/auth/cas/callback?ticket={ticket}")
    assert replay.status_code == 401 and "票据无效" in replay.get_data(as_text=True)

    # the API: a ticket for a token
    service, ticket, _ = _cas_ticket(http, cas_server, "liming")
    token = http.client.post("/api/auth/cas", json={"ticket": ticket, "service": service})
    assert token.status_code == 200 and token.json["user"]["id"] == "p_2023010101"
    assert http.client.get("/api/me", headers={"Authorization": f"Bearer {token.json['token']}"}).json["name"] == "李明"


def test_cas_refuses_wrong_tickets_and_unknown_identities(http, cas_server):
    forged = http.client.get("/auth/cas/callback?ticket=ST-not-a-real-ticket")
    assert forged.status_code == 401 and "统一身份认证未成功" in forged.get_data(as_text=True)
    assert http.client.get("/auth/cas/callback").status_code == 422  # no ticket at all
    wrong_service = http.client.post("/api/auth/cas", json={"ticket": _cas_ticket(http, cas_server, "liming")[1],
                                                            "service": "http://localhost/elsewhere"})
    assert wrong_service.status_code == 401 and wrong_service.json["field"] == "ticket"

    _, ticket, _ = _cas_ticket(http, cas_server, "stranger")
    unknown = http.client.get(f"/auth/cas/callback?ticket={ticket}")
    assert unknown.status_code == 404
    assert "尚未登记在本平台" in unknown.get_data(as_text=True) and "2099999999" in unknown.get_data(as_text=True)
    assert http.client.get("/").status_code == 302  # not signed in

    # a disabled account stays out however it signs in
    assert http.as_("admin", "PUT", "/api/accounts/p_2023010101/disabled", json={"disabled": True}).status_code == 200
    _, ticket, _ = _cas_ticket(http, cas_server, "liming")
    refused = http.client.post("/api/auth/cas", json={"ticket": ticket, "service": "http://localhost/auth/cas/callback"})
    assert refused.status_code == 403 and refused.json["message_zh"] == "该账号已停用，请联系管理员"


def test_ldap_bind_signs_in_by_employee_number(http):
    ok = http.client.post("/api/auth/login", json={"login": "liming", "password": CAMPUS_PASSWORD, "method": "ldap"})
    assert ok.status_code == 200, ok.json
    assert ok.json["user"]["id"] == "p_2023010101" and ok.json["must_change_password"] is False

    wrong = http.client.post("/api/auth/login", json={"login": "liming", "password": "nope", "method": "ldap"})
    assert wrong.status_code == 401 and wrong.json["message_zh"] == "统一身份认证账号或密码错误"
    nobody = http.client.post("/api/auth/login", json={"login": "nobody", "password": "x", "method": "ldap"})
    assert nobody.status_code == 401
    unknown = http.client.post("/api/auth/login", json={"login": "stranger", "password": CAMPUS_PASSWORD,
                                                        "method": "ldap"})
    assert unknown.status_code == 404 and "尚未登记在本平台" in unknown.json["message_zh"]
    # the campus password is not a local one, and local passwords stay available
    assert http.client.post("/api/auth/login", json={"login": "2023010101", "password": CAMPUS_PASSWORD}).status_code == 401
    assert http.client.post("/api/auth/login", json={"login": "2023010101", "password": DEMO_PASSWORD}).status_code == 200

    # the page offers both, campus first
    page = http.client.get("/login").get_data(as_text=True)
    assert 'value="ldap" checked' in page and 'value="local"' in page
    csrf = http.client.get_cookie("cx_csrf").value
    signed_in = http.client.post("/login", data={"login": "liming", "password": CAMPUS_PASSWORD, "method": "ldap",
                                                 "csrf_token": csrf})
    assert signed_in.status_code == 302 and "李明" in http.client.get("/").get_data(as_text=True)
