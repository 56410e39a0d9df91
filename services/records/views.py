"""What callers get back: plain JSON, times as ISO 8601 UTC, no internals.

Plugins (the internal `facts` / `awards` RPCs) get the stable public shapes of
domain/facts.py and domain/awards.py — no import times, so what a rule reads only
changes when the record does. People (the lists) also see who recorded what, when.
"""
from core.views import jsonable
from services.records.domain import awards, facts

_HIDDEN = ("revision",)


def fact_view(doc):
    view = jsonable({k: v for k, v in doc.items() if k not in _HIDDEN})
    view["id"] = view.pop("_id")
    view["value"] = facts.public_view(doc)["value"]
    return view


def award_view(doc):
    view = jsonable({k: v for k, v in doc.items() if k not in _HIDDEN})
    view["id"] = view.pop("_id")
    view["member_ids"] = list(doc.get("member_ids") or [])
    return view


public_fact = facts.public_view
public_award = awards.public_view
