"""The menu of the layout: one list of (endpoint, message key, roles that see it).

An item appears when its page exists and the person holds one of its roles (None:
everyone logged in). Page modules add items with `add`.
"""
from flask import current_app, url_for

from gateway.web import i18n

ITEMS = [("web.home", "campaigns", None)]


def add(endpoint, message_key, roles=None, position=None):
    item = (endpoint, message_key, tuple(roles) if roles else None)
    if item not in ITEMS:
        ITEMS.insert(len(ITEMS) if position is None else position, item)


def has_page(endpoint):
    return endpoint in current_app.view_functions


def menu_items(me):
    held = {r["role"] for r in (me or {}).get("roles", [])}
    out = []
    for endpoint, key, roles in ITEMS:
        if has_page(endpoint) and (roles is None or held & set(roles)):
            out.append({"url": url_for(endpoint), "label": i18n.t(key), "endpoint": endpoint})
    return out
