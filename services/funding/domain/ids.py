"""Identifiers. Ids are strings; those used as keys inside documents (a project id in
``campaign.awards``, a claim id in ``grant.holds``) must be safe as MongoDB field
names, so no dots, no ``$``.
"""
import re

from core.errors import field_error, invalid

_KEY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_REF_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")


def check_id(value, field):
    """A document id: 1-64 of ``A-Z a-z 0-9 _ -``, starting alphanumeric."""
    if not isinstance(value, str) or not _KEY_ID.match(value):
        raise invalid([field_error(field, "must be an id of 1-64 letters, digits, _ or -",
                                   "必须是 1-64 位字母、数字、下划线或连字符组成的编号")])
    return value


def is_ref_id(value):
    """An id of another service's object (an attachment): 1-100 of ``A-Z a-z 0-9 _ . : -``."""
    return isinstance(value, str) and bool(_REF_ID.match(value))
