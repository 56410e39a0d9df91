"""Campus sign-in (统一身份认证): CAS 3.0 ticket validation and LDAP bind.

Both only vouch for a campus identity; `accounts.campus_person` maps it to a person
by 学号/工号. Configuration (deploy/config.yml, CAMPUS_SIGN_IN):

    CAS:  {enabled, server_url, number_attribute (empty: the CAS user name is the
           学号/工号), timeout_seconds}
    LDAP: {enabled, url, base_dn, user_attribute, number_attribute, bind_dn,
           bind_password, timeout_seconds}

With `bind_dn` the user's entry is searched with that account, else its DN is
`<user_attribute>=<login>,<base_dn>`; then the user's own password is bound.
"""
import xml.etree.ElementTree as ET

import requests

from core.errors import CampusSignInUnavailable, Unauthenticated, ValidationFailed

CAS_NS = "{http://www.yale.edu/tp/cas}"


def _on(section):
    return bool(section) and str(section.get("enabled", False)).lower() in ("1", "true", "yes", "on")


def cas_settings(config):
    """The CAS section when CAS is enabled, else None."""
    section = (config.get("CAMPUS_SIGN_IN") or {}).get("CAS") or {}
    return section if _on(section) and section.get("server_url") else None


def ldap_settings(config):
    section = (config.get("CAMPUS_SIGN_IN") or {}).get("LDAP") or {}
    return section if _on(section) and section.get("url") and section.get("base_dn") else None


def _unavailable(what, error):
    return CampusSignInUnavailable(f"The campus sign-in server ({what}) did not answer; try again later ({error}).",
                                   f"统一身份认证服务（{what}）暂时无法访问，请稍后再试", field="login")


def validate_cas_ticket(settings, ticket, service_url):
    """(user, {attribute: first value}) for a valid service ticket; raises
    Unauthenticated for a refused ticket, CampusSignInUnavailable when the CAS
    server does not answer."""
    if not ticket or not ticket.startswith("ST-") or len(ticket) > 256:
        raise ValidationFailed("A CAS service ticket (ST-…) is required.", "缺少有效的统一身份认证票据", field="ticket")
    url = settings["server_url"].rstrip("/") + "/p3/serviceValidate"
    try:
        response = requests.get(url, params={"ticket": ticket, "service": service_url},
                                timeout=float(settings.get("timeout_seconds", 5)))
        response.raise_for_status()
        root = ET.fromstring(response.content)
    except (requests.RequestException, ET.ParseError) as error:
        raise _unavailable("CAS", error) from None
    success = root.find(f"{CAS_NS}authenticationSuccess")
    if success is None:
        raise Unauthenticated("The campus sign-in ticket was refused (expired or already used); sign in again.",
                              "统一身份认证票据无效或已过期，请重新登录", field="ticket")
    user = (success.findtext(f"{CAS_NS}user") or "").strip()
    attributes = {}
    found = success.find(f"{CAS_NS}attributes")
    for element in (found if found is not None else ()):
        name = element.tag.replace(CAS_NS, "")
        attributes.setdefault(name, (element.text or "").strip())
    return user, attributes


def cas_number(settings, user, attributes):
    """The 学号/工号 the CAS server vouched for."""
    name = settings.get("number_attribute")
    return (attributes.get(name) if name else user) or ""


def ldap_number(settings, login, password):
    """The 学号/工号 of the LDAP entry whose password `password` binds; raises
    Unauthenticated for a wrong login or password."""
    import ldap3
    from ldap3.core.exceptions import LDAPException
    from ldap3.utils.conv import escape_filter_chars
    from ldap3.utils.dn import escape_rdn

    wrong = Unauthenticated("Wrong campus login or password.", "统一身份认证账号或密码错误", field="password")
    if not login or not password:
        raise wrong
    timeout = max(1, int(settings.get("timeout_seconds", 5)))  # ldap3 packs it into SO_RCVTIMEO: whole seconds
    user_attribute = settings.get("user_attribute") or "uid"
    number_attribute = settings.get("number_attribute") or user_attribute
    server = ldap3.Server(settings["url"], connect_timeout=timeout, get_info=ldap3.NONE)
    try:
        if settings.get("bind_dn"):
            finder = ldap3.Connection(server, user=settings["bind_dn"], password=settings.get("bind_password"),
                                      receive_timeout=timeout, auto_bind=True)
            finder.search(settings["base_dn"], f"({user_attribute}={escape_filter_chars(login)})",
                          attributes=[number_attribute], size_limit=2)
            entries = list(finder.entries)
            finder.unbind()
            if len(entries) != 1:
                raise wrong
            dn = entries[0].entry_dn
        else:
            dn = f"{user_attribute}={escape_rdn(login)},{settings['base_dn']}"
        connection = ldap3.Connection(server, user=dn, password=password, receive_timeout=timeout)
        if not connection.bind():
            raise wrong
        connection.search(dn, "(objectClass=*)", search_scope=ldap3.BASE, attributes=[number_attribute])
        values = connection.entries[0][number_attribute].values if connection.entries else []
        connection.unbind()
    except LDAPException as error:
        raise _unavailable("LDAP", error) from None
    return str(values[0]) if values else ""
