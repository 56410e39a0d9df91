"""Vetoes (一票否决): a rule or an authorised person takes an application out.

A vetoed application is excluded from ranking and selection whatever its score
(`ranking.rank` and `quota.select` take the vetoed ids). A veto is a record with its
reason, who and when; it is never deleted: revoking it (with a reason) adds a
``revoked`` block, and only unrevoked vetoes count (`vetoed_ids`).

Veto rules are data declared by the program, evaluated by `apply_veto_rules` on an
application's aggregated score (see `aggregation.py`) and its facts:

- ``{"id": "r1", "kind": "leaf_failed", "leaf": "<pass_fail leaf>", "mode": "any"}``:
  a pass/fail leaf marked failed by any mark (``mode: "any"``, the default) or by all
  marks (``mode: "all"``);
- ``{"id": "r2", "kind": "leaf_below", "leaf": "<leaf>", "min": 60}``: the leaf's
  aggregated score, on 0..100 of its scale, is below ``min``;
- ``{"id": "r3", "kind": "fact", "fact": "serious_violation", "equals": true}``: a
  fact supplied by the applications service / plugin hooks (e.g. a disciplinary
  violation) has this value; an absent fact never vetoes.

Each rule may carry ``reason`` / ``reason_zh``; otherwise one is generated.
"""
from dataclasses import asdict, dataclass

from core.errors import PermissionDenied, field_error, invalid

from .audit import actor_id, actor_roles, require_reason, timestamp

RULE_KINDS = ("leaf_failed", "leaf_below", "fact")
VETO_ROLES = ("admin",)


@dataclass(frozen=True)
class Veto:
    application_id: str
    reason: str
    by: str                 # actor id, or "rule:<rule id>"
    at: str                 # ISO 8601 UTC
    reason_zh: str = None
    rule_id: str = None
    revoked: dict = None    # {"by", "at", "reason"} once revoked

    @property
    def active(self):
        return self.revoked is None

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(**data)


def _require_role(actor, allowed_roles, what_en, what_zh):
    if not actor_roles(actor) & set(allowed_roles):
        raise PermissionDenied(
            f"{actor_id(actor)!r} may not {what_en}; it needs one of the roles {', '.join(allowed_roles)}",
            f"{actor_id(actor)!r} 无权{what_zh}，需要以下角色之一：{', '.join(allowed_roles)}")


def veto(application_id, reason, actor, at=None, allowed_roles=VETO_ROLES, reason_zh=None):
    """A manual veto by `actor` ({"id", "roles"}); PermissionDenied unless the actor
    holds one of `allowed_roles`; ValidationFailed when the reason is empty."""
    _require_role(actor, allowed_roles, "veto an application", "否决申报")
    reason = require_reason(reason)
    return Veto(application_id, reason, actor_id(actor), timestamp(at), reason_zh=reason_zh or reason)


def revoke_veto(v, actor, reason, at=None, allowed_roles=VETO_ROLES):
    """The veto with a ``revoked`` block; refuses an already revoked veto."""
    _require_role(actor, allowed_roles, "revoke a veto", "撤销否决")
    reason = require_reason(reason)
    if not v.active:
        raise invalid([field_error("veto", "this veto is already revoked", "该否决已撤销")])
    return Veto(**{**v.to_dict(), "revoked": {"by": actor_id(actor), "at": timestamp(at), "reason": reason}})


def vetoed_ids(vetoes):
    """Ids of applications with at least one active veto (Veto objects or dicts)."""
    out = set()
    for v in vetoes:
        v = Veto.from_dict(v) if isinstance(v, dict) else v
        if v.active:
            out.add(v.application_id)
    return out


def validate_veto_rules(rules, tree):
    """ValidationFailed naming each bad rule (unknown kind or leaf, a leaf_failed
    rule on a leaf that is not pass/fail, duplicate ids)."""
    errors, ids = [], set()
    for i, rule in enumerate(rules or []):
        where = f"veto_rules[{i}]"
        kind = rule.get("kind") if isinstance(rule, dict) else None
        if kind not in RULE_KINDS:
            errors.append(field_error(where, f"kind {kind!r} is not one of {', '.join(RULE_KINDS)}",
                                      f"否决规则类型 {kind!r} 无效，应为 {', '.join(RULE_KINDS)} 之一"))
            continue
        if not rule.get("id") or rule["id"] in ids:
            errors.append(field_error(where, "every veto rule needs a unique id", "每条否决规则须有唯一的 id"))
        ids.add(rule.get("id"))
        if kind in ("leaf_failed", "leaf_below"):
            node = tree.nodes.get(rule.get("leaf"))
            if node is None or not node.is_leaf:
                errors.append(field_error(where, f"leaf {rule.get('leaf')!r} is not a leaf of the criteria tree",
                                          f"指标 {rule.get('leaf')!r} 不是评分指标体系中的末级指标"))
            elif kind == "leaf_failed" and node.scale.kind != "pass_fail":
                errors.append(field_error(where, f"leaf {node.label} is not pass/fail",
                                          f"指标{node.label_zh}不是合格/不合格类型"))
            if kind == "leaf_failed" and rule.get("mode", "any") not in ("any", "all"):
                errors.append(field_error(where, "mode must be any or all", "mode 须为 any 或 all"))
            if kind == "leaf_below" and not isinstance(rule.get("min"), (int, float)):
                errors.append(field_error(where, "min (0..100) is required", "须给出 min（0 至 100）"))
        elif "fact" not in rule or "equals" not in rule:
            errors.append(field_error(where, "fact and equals are required", "须给出 fact 与 equals"))
    if errors:
        raise invalid(errors)


def _fires(rule, score, facts):
    if rule["kind"] == "fact":
        return rule["fact"] in facts and facts[rule["fact"]] == rule["equals"]
    leaf = (score.get("leaves") or {}).get(rule["leaf"])
    if leaf is None:
        return False
    if rule["kind"] == "leaf_below":
        return 100.0 * leaf["value"] < rule["min"]
    failed = [m["normalised"] == 0.0 for m in leaf["marks"]]
    return any(failed) if rule.get("mode", "any") == "any" else bool(failed) and all(failed)


def _default_reason(rule):
    if rule["kind"] == "fact":
        return (f"fact {rule['fact']} is {rule['equals']!r}", f"事实 {rule['fact']} 为 {rule['equals']!r}")
    if rule["kind"] == "leaf_below":
        return (f"indicator {rule['leaf']} is below {rule['min']}", f"指标 {rule['leaf']} 低于 {rule['min']}")
    return (f"indicator {rule['leaf']} is not met", f"指标 {rule['leaf']} 不合格")


def apply_veto_rules(rules, score, facts=None, at=None):
    """Vetoes that the rules give for one application (`score`: a
    `score_application` result), each by ``"rule:<id>"``. Pure: call it again after a
    change and compare, the records are equal but for ``at``."""
    out = []
    for rule in rules or []:
        if _fires(rule, score, facts or {}):
            en, zh = _default_reason(rule)
            out.append(Veto(score["application_id"], rule.get("reason", en), f"rule:{rule['id']}",
                            timestamp(at), reason_zh=rule.get("reason_zh", zh), rule_id=rule["id"]))
    return out
