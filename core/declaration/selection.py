"""Quota rules (名额) and the scoring policy (评分策略) as typed data.

Quota rules are one list for every campaign or ``{"college": [...], "school": [...]}``
by campaign level; each rule is one of the kinds below. The scoring service adds the
rules that need the whole list (exactly one count rule, ranges meeting the total):
`services/scoring/domain/quota.py`.
"""
from marshmallow import ValidationError, fields, validate, validates_schema

from .base import KEY, Bool, KindSwitch, Number, Strict, Whole, both, key, text

OF = validate.OneOf(("population", "applicants"))


class Percent(Strict):
    """``percent`` % of the population (or of the applicants), rounded half up."""

    kind = fields.String(required=True)
    percent = Number(required=True, validate=validate.Range(0, 100))
    of = fields.String(required=True, validate=OF)


class Fixed(Strict):
    kind = fields.String(required=True)
    count = Whole(required=True, validate=validate.Range(min=0))


class Grade(Strict):
    name = text(40, required=True)
    name_zh = text(40)
    percent = Number(validate=validate.Range(0, 100))
    count = Whole(validate=validate.Range(min=0))
    rest = Bool()

    @validates_schema
    def _one_way(self, data, **kwargs):
        if len({"percent", "count", "rest"} & set(data)) != 1:
            raise ValidationError(both(f"grade {data.get('name')!r} needs exactly one of percent, count or rest",
                                       f"等级 {data.get('name')!r} 须且只能有 percent、count、rest 之一"))


class Grades(Strict):
    kind = fields.String(required=True)
    of = fields.String(validate=OF)
    grades = fields.List(fields.Nested(Grade), required=True, validate=validate.Length(min=1))


class PerCategory(Strict):
    """The optimal selection with [lo, hi] per category and an optional total."""

    kind = fields.String(required=True)
    ranges = fields.Dict(keys=fields.String(validate=validate.Regexp(KEY)),
                         values=fields.List(Whole(validate=validate.Range(min=0)), validate=validate.Length(2, 2)),
                         required=True, validate=validate.Length(min=1))
    total = Whole(validate=validate.Range(min=0))
    names = fields.Dict(keys=fields.String(), values=text(40))


class PerUnitCap(Strict):
    """At most ``max`` selected per unit (the scoring_inputs hook names each unit)."""

    kind = fields.String(required=True)
    unit = text(40, required=True)
    max = Whole(required=True, validate=validate.Range(min=1))


class MinScore(Strict):
    """达标: only candidates with at least ``min`` points."""

    kind = fields.String(required=True)
    min = Number(required=True)


QUOTA_RULE = KindSwitch({"percent": Percent, "fixed": Fixed, "grades": Grades, "per_category": PerCategory,
                         "per_unit_cap": PerUnitCap, "min_score": MinScore}, "quota rule")


class QuotaByLevel(Strict):
    college = fields.List(QUOTA_RULE, validate=validate.Length(min=1))
    school = fields.List(QUOTA_RULE, validate=validate.Length(min=1))


class QuotaRules(fields.Field):
    """One list, or one list per campaign level."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, dict):
            return QuotaByLevel().load(value)
        return fields.List(QUOTA_RULE)._deserialize(value, attr, data, **kwargs)


class Aggregation(Strict):
    method = fields.String(validate=validate.OneOf(("mean", "median", "trimmed_mean")))
    reviewer_normalisation = fields.String(validate=validate.OneOf(("none", "zscore")))
    on_missing = fields.String(validate=validate.OneOf(("error", "zero")))


class Conflict(Strict):
    """Who may not score an application: a reviewer sharing one of these units."""

    unit_fields = fields.List(fields.String(validate=validate.OneOf(("class_id", "dorm_id", "branch_id",
                                                                     "college_id"))), data_key="fields")
    same_college = Bool()


class TieBreak(Strict):
    indicator = key()
    field = text(40)
    order = fields.String(validate=validate.OneOf(("asc", "desc")))

    @validates_schema
    def _one(self, data, **kwargs):
        if len({"indicator", "field"} & set(data)) != 1:
            raise ValidationError(both("needs exactly one of indicator or field", "须且只能包含 indicator 或 field 之一"))


class FactVeto(Strict):
    """一票否决 by a fact the scoring_inputs hook reports."""

    id = key(required=True)
    kind = fields.String(required=True)
    fact = key(required=True)
    equals = fields.Raw(required=True)
    reason = text(300)
    reason_zh = text(300)


class LeafFailedVeto(Strict):
    id = key(required=True)
    kind = fields.String(required=True)
    leaf = key(required=True)
    mode = fields.String(validate=validate.OneOf(("any", "all")))
    reason = text(300)
    reason_zh = text(300)


class LeafBelowVeto(Strict):
    id = key(required=True)
    kind = fields.String(required=True)
    leaf = key(required=True)
    min = Number(required=True)
    reason = text(300)
    reason_zh = text(300)


class Scoring(Strict):
    """The policy a campaign's scoring setup starts from (a campaign admin may change it)."""

    aggregation = fields.Nested(Aggregation)
    reviewers_per_application = Whole(validate=validate.Range(1, 20))
    blind_review = Bool()
    conflict = fields.Nested(Conflict)
    tie_breaks = fields.List(fields.Nested(TieBreak))
    veto_rules = fields.List(KindSwitch({"fact": FactVeto, "leaf_failed": LeafFailedVeto,
                                         "leaf_below": LeafBelowVeto}, "veto rule"))
    veto_roles = fields.List(fields.String(validate=validate.OneOf(
        ("school_admin", "college_admin", "counselor", "reviewer"))))
