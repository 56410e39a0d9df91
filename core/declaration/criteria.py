"""The criteria tree (评分指标体系) as typed data: every node's keys and types.

A node is ``{"id", "name", "weight"?}`` plus exactly one of
``children`` (inner node), ``scale`` (leaf, scored by ``scorer_role`` or by several
roles in ``role_weights``) or ``by_category`` (one subtree per category). The
arithmetic on top (weights adding up to 100, unique ids, roles) is `criteria_tree.py`,
which the scoring service uses too.
"""
from marshmallow import ValidationError, fields, validate, validates_schema

from .base import KEY, KindSwitch, Number, Strict, Whole, both, key, text


class Linear(Strict):
    """points = clamp(base + points_per_unit × count, min, max)."""

    kind = fields.String(required=True)
    points_per_unit = Number(required=True)
    base = Number()
    min = Number()
    max = Number()


class ThresholdRow(Strict):
    at_least = Whole(required=True, validate=validate.Range(min=0))
    score = Number(required=True, validate=validate.Range(0, 100))


class Thresholds(Strict):
    """The score of the last row whose at_least <= count."""

    kind = fields.String(required=True)
    table = fields.List(fields.Nested(ThresholdRow), required=True, validate=validate.Length(min=1))


class RangeScale(Strict):
    kind = fields.String(required=True)
    min = Number(required=True)
    max = Number(required=True)

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data["min"] >= data["max"]:
            raise ValidationError(both("min must be below max", "min 须小于 max"), "max")


class PassFail(Strict):
    kind = fields.String(required=True)


class CountScale(Strict):
    kind = fields.String(required=True)
    formula = KindSwitch({"linear": Linear, "thresholds": Thresholds}, "formula", required=True)


SCALES = {"range": RangeScale, "pass_fail": PassFail, "count": CountScale}


class Node(Strict):
    """One indicator; see the module docstring."""

    id = key(required=True)
    name = text(100, required=True)
    weight = Number(validate=validate.Range(min=0))
    children = fields.List(fields.Nested(lambda: Node()), validate=validate.Length(min=1))
    by_category = fields.Dict(keys=fields.String(validate=validate.Regexp(KEY)), values=fields.Nested(lambda: Node()),
                              validate=validate.Length(min=1))
    scale = KindSwitch(SCALES, "scale")
    scorer_role = fields.String()
    role_weights = fields.Dict(keys=fields.String(), values=Number(validate=validate.Range(min=0)),
                               validate=validate.Length(min=1))

    @validates_schema
    def _one_shape(self, data, **kwargs):
        shapes = [k for k in ("children", "scale", "by_category") if k in data]
        if len(shapes) != 1:
            raise ValidationError(both(f"node {data.get('id')!r} must have exactly one of children, scale or "
                                       f"by_category (has {shapes or 'none'})",
                                       f"节点 {data.get('id')!r} 须且只能包含 children、scale、by_category 之一"))
        if "scale" in data and ("scorer_role" in data) == ("role_weights" in data):
            raise ValidationError(both(f"leaf {data.get('id')!r} needs exactly one of scorer_role or role_weights",
                                       f"指标 {data.get('id')!r} 须且只能包含 scorer_role 或 role_weights 之一"))
        if "scale" not in data and ("scorer_role" in data or "role_weights" in data):
            raise ValidationError(both(f"node {data.get('id')!r} is not a leaf: scorer_role and role_weights belong "
                                       "to leaves", f"节点 {data.get('id')!r} 不是末级指标，不能设置评分角色"))
