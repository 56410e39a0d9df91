"""Rater roles a program declares (评分角色: the people who rate a leaf of its criteria
that no platform role rates, e.g. 先进班集体's 团总支 and 任课教师).

Declared as data in the program's ``rater_roles``::

    [{"key": "league_branch", "label_zh": "团总支（测评）", "label_en": "Youth League branch (rating)",
      "scopes": ["college"], "granted_by": "college_admin"}]

- ``key``: a code; the role is stored, granted and scored as ``<program>:<key>``
  (`rater_role_key`), so two programs never collide and a role never collides with a
  platform role. ``:`` because the key is also a key in stored documents (a criteria
  leaf's ``role_weights``), where ``.`` is not allowed; fact kinds are namespaced the
  same way;
- ``label_zh`` / ``label_en``: what people read wherever the role is shown;
- ``scopes``: the kinds of unit it is held at (``college``, ``class``, …);
- ``granted_by``: ``college_admin`` (a college admin grants it inside their college,
  a school admin anywhere in the school) or ``school_admin`` (only a school admin);
- ``formerly`` (optional): the platform key the role had before the program declared
  it; the applications service moves grants of that key to the new one at
  registration, and a campaign pinned to a version that still names the old key
  keeps working (its raters score under the old key).

A criteria leaf names a declared role by its stored key in ``scorer_role`` or
``role_weights`` (`scorer_roles_of` lists what a program's leaves may name).
"""
from marshmallow import fields, validate

from core.errors import field_error

from .base import Strict, code, text
from .criteria_tree import SCORER_ROLES

#: The kinds of unit a declared role may be held at.
UNIT_KINDS = ("school", "college", "class", "dorm", "branch")
#: Who may grant a declared role.
GRANTERS = ("college_admin", "school_admin")
SEPARATOR = ":"


class RaterRole(Strict):
    """One rater role a program declares (see the module docstring)."""

    key = code(required=True)
    label_zh = text(20, required=True)
    label_en = text(80, required=True)
    scopes = fields.List(fields.String(validate=validate.OneOf(UNIT_KINDS)), required=True,
                         validate=validate.Length(min=1))
    granted_by = fields.String(required=True, validate=validate.OneOf(GRANTERS))
    formerly = code()


def rater_role_key(program, key):
    """The stored key of a program's declared rater role: ``<program>:<key>``."""
    return f"{program}{SEPARATOR}{key}"


def is_declared_key(role):
    """True for a key of the form ``<program>:<key>`` (a program's rater role)."""
    return isinstance(role, str) and SEPARATOR in role


def _typed(declaration):
    return [r for r in declaration.get("rater_roles") or [] if isinstance(r, dict)]


def scorer_roles_of(declaration):
    """The roles a leaf of this program's criteria may name: the platform's scorer
    roles and the program's own declared rater roles (by their stored keys)."""
    name = declaration.get("name")
    return SCORER_ROLES + tuple(rater_role_key(name, r["key"]) for r in _typed(declaration)
                                if isinstance(r.get("key"), str))


def rater_role_errors(declaration, platform_roles=()):
    """The whole-list rules of ``rater_roles`` (each entry is typed by `RaterRole`):
    a key or a former key declared once, scopes listed once, a role a college admin
    grants held inside a college, and a former key that is no platform role
    (`platform_roles`: grants of it would be taken from the platform)."""
    errors = []
    roles = _typed(declaration)
    keys = [r.get("key") for r in roles]
    if len(set(map(str, keys))) != len(keys):
        errors.append(field_error("rater_roles", "declares a rater role twice", "评分角色重复声明"))
    former = [r["formerly"] for r in roles if r.get("formerly")]
    if len(set(map(str, former))) != len(former):
        errors.append(field_error("rater_roles", "two rater roles name the same former key",
                                  "两个评分角色的原角色代码（formerly）相同"))
    for i, role in enumerate(roles):
        scopes = role.get("scopes") if isinstance(role.get("scopes"), list) else []
        if len(set(map(str, scopes))) != len(scopes):
            errors.append(field_error(f"rater_roles[{i}].scopes", "lists a kind of unit twice", "单位类型重复"))
        if role.get("granted_by") == "college_admin" and "school" in scopes:
            errors.append(field_error(f"rater_roles[{i}].scopes",
                                      "a role a college admin grants is held inside a college, not at the school",
                                      "由学院管理员授予的角色只能在学院及其下属单位任职，不能在学校任职"))
        if role.get("formerly") in platform_roles:
            errors.append(field_error(f"rater_roles[{i}].formerly",
                                      f"{role['formerly']!r} is a platform role: its grants are not the program's",
                                      f"{role['formerly']} 是平台角色，其授权不属于本项目"))
    return errors
