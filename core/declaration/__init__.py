"""The typed program declaration: one check that plugins run in their unit tests and
the shared services run at registration.

``check_declaration(declaration)`` validates everything a program registers
(``core.program.Program.declaration()``): the top-level keys and their types, the
attachments, stages, settings, the form's labels, the criteria tree, the quota
rules, the scoring policy, the funding rules, the program's own fact kinds and its own
rater roles (`rater_roles.py`). Unknown keys are refused at every
level. It raises one `ValidationFailed` whose ``details`` name every problem by its
path (``criteria.children[2].scale.kind``, ``quota_rules.school[0].percent``) in
English and Chinese; nothing is partially accepted.

The criteria tree's arithmetic (weights adding up to 100 at every node, unique ids,
scorer roles; `criteria_tree.py`) and the quota rules' whole-list rules
(`quota_rules.py`) are checked here too, with the code the scoring service uses.
What needs a service's own data (a tier's materials among the funding service's
kinds, a tie-break naming a node) is checked by that service right after.
"""
from marshmallow import fields, validate

from core.errors import ValidationFailed, field_error, invalid

from .base import Strict, check, code, text
from .criteria import Node
from .criteria_tree import CriteriaTree
from .funding import Funding
from .parts import Attachment, FactKind, SettingSpec, form_label_errors, settings_errors, stage_errors
from .quota_rules import validate_quota_rules
from .rater_roles import RaterRole, rater_role_errors, rater_role_key, scorer_roles_of  # noqa: F401
from .selection import QuotaRules, Scoring

APPLICANT_KINDS = ("branch", "class", "dorm", "person")


class Declaration(Strict):
    """The top level of what a program registers."""

    name = code(required=True)
    version = fields.String(required=True, validate=validate.Length(1, 100))
    revision = fields.Integer(strict=True, validate=validate.Range(min=1))
    title_zh = text(40, required=True)
    title_en = text(100, required=True)
    applicant_kind = fields.String(required=True, validate=validate.OneOf(APPLICANT_KINDS))
    form_schema = fields.Dict(required=True)
    attachments = fields.List(fields.Nested(Attachment), required=True)
    stages = fields.Raw(required=True)
    settings = fields.Raw(required=True)
    settings_spec = fields.Dict(keys=code(), values=fields.Nested(SettingSpec))
    criteria = fields.Nested(Node, allow_none=True)
    quota_rules = QuotaRules(allow_none=True)
    scoring = fields.Nested(Scoring, allow_none=True)
    funding = fields.Nested(Funding, allow_none=True)
    fact_kinds = fields.List(fields.Nested(FactKind))
    rater_roles = fields.List(fields.Nested(RaterRole))


def declaration_errors(declaration):
    """Every problem of a declaration as field errors (empty when it is valid)."""
    if not isinstance(declaration, dict):
        return [field_error("declaration", "must be an object", "须为对象")]
    errors = check(Declaration(), declaration, "")
    errors += stage_errors(declaration.get("stages"))
    form_schema = declaration.get("form_schema") if isinstance(declaration.get("form_schema"), dict) else {}
    errors += settings_errors(declaration.get("settings"), form_schema, declaration.get("settings_spec"))
    errors += form_label_errors(form_schema)
    kinds = [a.get("kind") for a in declaration.get("attachments") or [] if isinstance(a, dict)]
    if len(set(map(str, kinds))) != len(kinds):
        errors.append(field_error("attachments", "declares an attachment kind twice", "附件类型重复"))
    codes = [k.get("code") for k in declaration.get("fact_kinds") or [] if isinstance(k, dict)]
    if len(set(map(str, codes))) != len(codes):
        errors.append(field_error("fact_kinds", "declares a fact kind twice", "记录类别重复"))
    errors += rater_role_errors(declaration, _platform_roles())
    errors += _rule_errors(declaration, errors)
    if (declaration.get("quota_rules") or declaration.get("scoring")) and not declaration.get("criteria"):
        errors.append(field_error("criteria", "quota rules and a scoring policy need a criteria tree",
                                  "声明名额规则或评分策略的项目须同时声明评分指标体系"))
    return errors


def _platform_roles():
    from core.roles import ROLE_KEYS   # here: core.roles imports this package
    return ROLE_KEYS


def _rule_errors(declaration, typed):
    """The criteria tree's arithmetic (weights adding up to 100, unique ids, scorer
    roles: the platform's and the program's own rater roles) and the quota rules'
    whole-list rules, for parts whose types are right: the same code the scoring
    service runs (criteria_tree.py, quota_rules.py)."""
    out = []
    roles = scorer_roles_of(declaration)
    for part, check in (("criteria", lambda tree: CriteriaTree.from_dict(tree, roles)),
                        ("quota_rules", validate_quota_rules)):
        if declaration.get(part) is None or any(e["field"].startswith(part) for e in typed):
            continue
        try:
            check(declaration[part])
        except ValidationFailed as exc:
            out += exc.details or [field_error(part, exc.message_en, exc.message_zh)]
    return out


def check_declaration(declaration):
    """Raise ValidationFailed naming every problem (see the module docstring)."""
    errors = declaration_errors(declaration)
    if errors:
        raise invalid(errors)
    return declaration


def check_program(program):
    """`check_declaration` of a `core.program.Program`: what a plugin's unit test calls."""
    return check_declaration(program.declaration())


def fact_kind_code(program, code):
    """The records service's code of a program's own fact kind: ``<program>:<code>``."""
    return f"{program}:{code}"
