"""Criteria tree (评分指标体系): weighted indicators a program registers.

Declared as data, e.g. 先进班集体::

    {"id": "root", "name": "先进班集体", "children": [
        {"id": "study", "name": "学风建设", "weight": 30,
         "scale": {"kind": "range", "min": 0, "max": 100}, "scorer_role": "reviewer"},
        {"id": "rating", "name": "测评", "weight": 30,
         "scale": {"kind": "range", "min": 0, "max": 100},
         "role_weights": {"counselor": 40, "class_collectives:league_branch": 30,
                          "class_collectives:course_teacher": 30}},
        ...]}

and a category-dependent part (文明寝室: common 60% + one 40% subtree per type)::

    {"id": "type_part", "name": "类型条件", "weight": 40,
     "by_category": {"环境优美型": {"id": "env", "name": "环境优美型条件", "children": [...]},
                     "党员示范型": {"id": "party", "name": "...", "scale": {...}, ...}}}

Rules (a registration breaking any is refused with `ValidationFailed` whose details
name every offending node by id and name):

- every node has a unique string ``id`` (no ``.``, not starting with ``$``: ids are
  keys in stored documents) and a ``name``;
- a node is exactly one of: an inner node (``children``), a leaf (``scale``) or a
  category switch (``by_category``);
- each child has a ``weight`` (percent of its parent, >= 0) and the children of every
  inner node add up to 100 within `WEIGHT_TOLERANCE` (1e-9); the root and the subtrees
  under ``by_category`` stand for the whole of their parent (weight absent or 100);
- a leaf has a valid `Scale` and either ``scorer_role`` (one of `SCORER_ROLES`, or of
  the rater roles the program declares: ``from_dict(data, roles)``) or
  ``role_weights`` (roles -> percent, adding up to 100), whose keys are then the
  roles that may score it.

Every leaf score is normalised to 0..1 of its scale before weighting, so the total is
on 0..100 whatever the scales and whichever category subtree applies.
"""
import hashlib
import json
import math
from dataclasses import dataclass

from core.errors import PermissionDenied, field_error, invalid

from .scales import is_number, parse_scale

#: The platform's scorer roles; a program adds its own (core.declaration.rater_roles).
SCORER_ROLES = ("counselor", "reviewer", "imported_fact")
WEIGHT_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Node:
    """One indicator (指标). ``weight`` is percent of the parent."""

    id: str
    name: str
    weight: float = 100
    children: tuple = ()
    scale: object = None          # Scale for leaves
    scorer_role: str = None
    role_weights: tuple = ()      # ((role, percent), ...) in declared order
    by_category: tuple = ()       # ((category, Node), ...) in declared order

    @property
    def is_leaf(self):
        return self.scale is not None

    @property
    def label(self):
        return f"'{self.id}' ({self.name})"

    @property
    def label_zh(self):
        return f"“{self.id}”（{self.name}）"

    def scorer_roles(self):
        """Roles that may score this leaf."""
        if self.role_weights:
            return tuple(role for role, _ in self.role_weights)
        return (self.scorer_role,) if self.scorer_role else ()

    def to_dict(self, with_weight=True):
        body = {"id": self.id, "name": self.name}
        if with_weight:
            body["weight"] = self.weight
        if self.is_leaf:
            body["scale"] = self.scale.to_dict()
            if self.role_weights:
                body["role_weights"] = dict(self.role_weights)
            else:
                body["scorer_role"] = self.scorer_role
        elif self.by_category:
            body["by_category"] = {c: n.to_dict(with_weight=False) for c, n in self.by_category}
        else:
            body["children"] = [c.to_dict() for c in self.children]
        return body


def canonical_json(obj):
    """JSON with sorted keys, no spaces, UTF-8 text and integral floats written as
    ints, so that equal definitions give equal bytes."""
    def norm(x):
        if isinstance(x, float) and x.is_integer():
            return int(x)
        if isinstance(x, dict):
            return {k: norm(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [norm(v) for v in x]
        return x
    return json.dumps(norm(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class CriteriaTree:
    """A validated criteria tree. Build it with `CriteriaTree.from_dict`.

    Guarantees: node ids are unique across the whole tree (all category subtrees
    included), so a leaf id alone identifies a leaf; `fingerprint` is the sha256 of
    the canonical JSON of `to_dict()` and changes whenever anything that affects
    scoring changes (weights, scales, roles, structure, names).
    """

    def __init__(self, root):
        self.root = root
        self.nodes = {}
        self.parents = {}
        self._index(root, None)
        cats = []
        for node in self.nodes.values():
            for c, _ in node.by_category:
                if c not in cats:
                    cats.append(c)
        self.categories = tuple(cats)
        self.fingerprint = hashlib.sha256(canonical_json(self.to_dict()).encode("utf-8")).hexdigest()

    def _index(self, node, parent):
        self.nodes[node.id] = node
        self.parents[node.id] = parent
        for child in node.children:
            self._index(child, node.id)
        for _, sub in node.by_category:
            self._index(sub, node.id)

    # -- (de)serialisation -------------------------------------------------------
    @classmethod
    def from_dict(cls, data, roles=SCORER_ROLES):
        """Validate a declaration; raise ValidationFailed naming every bad node.
        `roles`: the roles a leaf may name (the platform's scorer roles and the
        program's declared rater roles, core.declaration.rater_roles); None accepts any
        role, for a tree that was checked when its program registered (a stored
        version keeps the roles it was registered with)."""
        errors = []
        root = _parse(data, [], set(), errors, whole=True, roles=roles)
        if errors:
            raise invalid(errors)
        return cls(root)

    def to_dict(self):
        return self.root.to_dict(with_weight=False)

    # -- lookup ------------------------------------------------------------------
    def leaf(self, leaf_id):
        """The leaf with this id, or ValidationFailed naming the unknown id."""
        node = self.nodes.get(leaf_id)
        if node is None or not node.is_leaf:
            raise invalid([field_error(
                f"scores.{leaf_id}",
                f"'{leaf_id}' is not a leaf indicator of this criteria tree",
                f"“{leaf_id}”不是本评分指标体系中的末级指标")])
        return node

    def leaves(self, categories=None):
        """Leaves in declared order; `categories` (a list) limits category subtrees to
        those categories; None means every leaf of the tree."""
        out = []

        def walk(node):
            if node.is_leaf:
                out.append(node)
            for child in node.children:
                walk(child)
            for cat, sub in node.by_category:
                if categories is None or cat in categories:
                    walk(sub)
        walk(self.root)
        return out

    def path(self, node_id):
        """Ids from the root down to `node_id`."""
        ids = []
        while node_id is not None:
            ids.append(node_id)
            node_id = self.parents[node_id]
        return ids[::-1]

    def check_category(self, category):
        """ValidationFailed unless `category` selects a subtree at every category
        switch (or the tree has none and `category` is None)."""
        for node in self.nodes.values():
            if node.by_category and category not in dict(node.by_category):
                allowed = "、".join(c for c, _ in node.by_category)
                raise invalid([field_error(
                    "category",
                    f"category {category!r} is not one of node {node.label}'s categories: {allowed}",
                    f"类别 {category!r} 不是节点{node.label_zh}的类别之一：{allowed}")])
        if category is not None and not self.categories:
            raise invalid([field_error(
                "category", f"this criteria tree has no categories, got {category!r}",
                f"本评分指标体系不分类别，但给出了类别 {category!r}")])

    def leaf_weights(self, category=None):
        """{leaf_id: share of the total (0..1)} for one category (product of the
        weights on the path); the shares add up to 1."""
        self.check_category(category)
        out = {}

        def walk(node, share):
            if node.is_leaf:
                out[node.id] = share
            for child in node.children:
                walk(child, share * child.weight / 100.0)
            if node.by_category:
                walk(dict(node.by_category)[category], share)
        walk(self.root, 1.0)
        return out

    # -- scores ------------------------------------------------------------------
    def check_scorer(self, leaf_id, role):
        """PermissionDenied unless `role` may score leaf `leaf_id`."""
        leaf = self.leaf(leaf_id)
        if role not in leaf.scorer_roles():
            from core.roles import label    # people read this: roles by their names, not keys
            allowed, allowed_zh = (", ".join(label(r, lang) for r in leaf.scorer_roles()) for lang in ("en", "zh"))
            raise PermissionDenied(
                f"{label(role, 'en')} may not score leaf {leaf.label}; it is scored by {allowed}",
                f"“{label(role)}”无权为指标{leaf.label_zh}评分，该指标由{allowed_zh}评分",
                field=f"scores.{leaf_id}")
        return leaf

    def score_problem(self, leaf_id, value):
        """None when `value` fits the leaf's scale, else a field_error naming the leaf
        and its scale."""
        leaf = self.leaf(leaf_id)
        problem = leaf.scale.problem(value)
        if problem is None:
            return None
        en, zh = problem
        return field_error(f"scores.{leaf_id}", f"leaf {leaf.label}: {en}", f"指标{leaf.label_zh}：{zh}")

    def normalise(self, leaf_id, value):
        """The value as 0..1 of the leaf's scale; ValidationFailed if out of scale."""
        problem = self.score_problem(leaf_id, value)
        if problem:
            raise invalid([problem])
        return self.nodes[leaf_id].scale.normalise(value)

    def node_coefficients(self, category=None):
        """How every node of one category's tree scores from its leaves — the one
        statement of the weighted sum (`evaluate` here, `bulk.node_matrix` for a
        whole campaign): ([(node_id, {leaf_id: coefficient})], {leaf_id: share}).
        A node's score on 0..100 is 100 x the sum of coefficient x leaf value (0..1);
        a leaf adds 100 x share x value points to the total, the root's score (the
        shares add up to 1). Nodes come children first, the root last; leaves in
        declared order; only the category's subtree at each category switch."""
        self.check_category(category)
        rows, shares = [], {}

        def walk(node, share):
            if node.is_leaf:
                row = {node.id: 1.0}
                shares[node.id] = share
            elif node.by_category:
                row = walk(dict(node.by_category)[category], share)
            else:
                row = {}
                for child in node.children:
                    w = child.weight / 100.0
                    for leaf_id, k in walk(child, share * w).items():
                        row[leaf_id] = row.get(leaf_id, 0.0) + w * k
            rows.append((node.id, row))
            return row
        walk(self.root, 1.0)
        return rows, shares

    def evaluate(self, leaf_values, category=None):
        """Weighted sum over the tree for one category (`node_coefficients`).

        `leaf_values`: {leaf_id: 0..1} for every leaf the category uses.
        Returns {"total": 0..100, "nodes": {node_id: 0..100 for every node on the
        category's tree, leaves included}, "points": {leaf_id: points the leaf adds
        to the total}}; the points add up to the total.
        """
        rows, shares = self.node_coefficients(category)
        nodes = {node_id: 100.0 * math.fsum(k * leaf_values[leaf_id] for leaf_id, k in row.items())
                 for node_id, row in rows}
        points = {leaf_id: 100.0 * share * leaf_values[leaf_id] for leaf_id, share in shares.items()}
        return {"total": nodes[self.root.id], "nodes": nodes, "points": points}


# -- parsing ---------------------------------------------------------------------
def _err(errors, path, en, zh):
    errors.append(field_error("criteria/" + "/".join(path), en, zh))


def _valid_key(key):
    return isinstance(key, str) and key != "" and "." not in key and not key.startswith("$")


def _known(role, roles):
    """A role a leaf may name: among `roles`, or any non-empty key when `roles` is None."""
    return _valid_key(role) if roles is None else role in roles


def _parse(data, path, seen, errors, whole=False, roles=SCORER_ROLES):
    """Parse one node dict; append field errors; return a Node (possibly partial)."""
    if not isinstance(data, dict):
        _err(errors, path or ["?"], f"node under {'/'.join(path) or 'root'} is not an object",
             f"{'/'.join(path) or '根'} 下的节点不是对象")
        return None
    node_id, name = data.get("id"), data.get("name")
    here = path + [str(node_id)]
    label, label_zh = f"'{node_id}' ({name})", f"“{node_id}”（{name}）"
    if not _valid_key(node_id):
        _err(errors, here, f"node {label}: id must be a non-empty string without '.' or a leading '$'",
             f"节点{label_zh}：id 须为非空字符串，且不含“.”、不以“$”开头")
    elif node_id in seen:
        _err(errors, here, f"node id {node_id!r} is used more than once", f"节点 id {node_id!r} 重复")
    else:
        seen.add(node_id)
    if not isinstance(name, str) or not name.strip():
        _err(errors, here, f"node {label}: name is required", f"节点{label_zh}：缺少名称 name")

    weight = data.get("weight", 100 if whole else None)
    if whole:
        if not (is_number(weight) and abs(weight - 100) <= WEIGHT_TOLERANCE):
            _err(errors, here, f"node {label} stands for the whole of its parent; its weight must be absent or 100",
                 f"节点{label_zh}代表上级整体，权重应省略或为 100")
        weight = 100
    elif not is_number(weight) or weight < 0:
        _err(errors, here, f"node {label}: weight must be a number >= 0 (percent of its parent), got {weight!r}",
             f"节点{label_zh}：权重须为不小于 0 的数（占上级的百分比），实际为 {weight!r}")
        weight = 0

    kinds = [k for k in ("children", "scale", "by_category") if k in data]
    if len(kinds) != 1:
        _err(errors, here, f"node {label} must have exactly one of children, scale or by_category",
             f"节点{label_zh}须且只能包含 children、scale、by_category 之一")
        return Node(str(node_id), str(name), weight)

    if kinds[0] == "children":
        kids = data["children"]
        if not isinstance(kids, list) or not kids:
            _err(errors, here, f"node {label}: children must be a non-empty list",
                 f"节点{label_zh}：children 须为非空列表")
            return Node(str(node_id), str(name), weight)
        children = tuple(c for c in (_parse(k, here, seen, errors, roles=roles) for k in kids) if c is not None)
        total = sum(c.weight for c in children)
        if len(children) == len(kids) and abs(total - 100) > WEIGHT_TOLERANCE:
            _err(errors, here,
                 f"the weights of the children of node {label} add up to {total:g}, not 100",
                 f"节点{label_zh}的下级指标权重之和为 {total:g}，应为 100")
        return Node(str(node_id), str(name), weight, children=children)

    if kinds[0] == "by_category":
        subs = data["by_category"]
        if not isinstance(subs, dict) or not subs:
            _err(errors, here, f"node {label}: by_category must map each category to a subtree",
                 f"节点{label_zh}：by_category 须为“类别 → 子树”的映射")
            return Node(str(node_id), str(name), weight)
        parsed = []
        for cat, sub in subs.items():
            if not _valid_key(cat):
                _err(errors, here, f"node {label}: category {cat!r} must be a non-empty string without '.' or a leading '$'",
                     f"节点{label_zh}：类别 {cat!r} 须为非空字符串，且不含“.”、不以“$”开头")
            node = _parse(sub, here, seen, errors, whole=True, roles=roles)
            if node is not None:
                parsed.append((cat, node))
        return Node(str(node_id), str(name), weight, by_category=tuple(parsed))

    scale, problems = parse_scale(data["scale"])
    for en, zh in problems:
        _err(errors, here, f"leaf {label}: {en}", f"指标{label_zh}：{zh}")
    role, role_weights = data.get("scorer_role"), data.get("role_weights")
    pairs = ()
    if role_weights is not None and role is not None:
        _err(errors, here, f"leaf {label}: give either scorer_role or role_weights, not both",
             f"指标{label_zh}：scorer_role 与 role_weights 只能给出其一")
    elif role_weights is not None:
        bad = (not isinstance(role_weights, dict) or not role_weights
               or any(not _known(r, roles) or not is_number(w) or w < 0 for r, w in role_weights.items()))
        if bad:
            _err(errors, here, f"leaf {label}: role_weights must map roles among {', '.join(roles or ())} to percents >= 0",
                 f"指标{label_zh}：role_weights 须为角色（{', '.join(roles or ())}）到非负百分比的映射")
        else:
            total = sum(role_weights.values())
            if abs(total - 100) > WEIGHT_TOLERANCE:
                _err(errors, here, f"the role weights of leaf {label} add up to {total:g}, not 100",
                     f"指标{label_zh}的角色权重之和为 {total:g}，应为 100")
            pairs = tuple(role_weights.items())
    elif not _known(role, roles):
        _err(errors, here, f"leaf {label}: scorer_role {role!r} is not one of {', '.join(roles or ())}",
             f"指标{label_zh}：评分角色 scorer_role {role!r} 无效，应为 {', '.join(roles or ())} 之一")
    return Node(str(node_id), str(name), weight, scale=scale,
                scorer_role=None if pairs else role, role_weights=pairs)
