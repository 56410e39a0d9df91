"""Score sheets (评分表): one reviewer's scores for one application.

States: ``draft`` -> ``submitted`` (locked). The reviewer saves drafts (partial
scores allowed, each checked against its leaf's scale) and submits once every leaf
their role scores is filled. A submitted sheet never changes silently: an admin may
change scores only with a reason, each change appended to ``audit`` (who, when, old,
new, reason); an admin may also reopen it to draft, with a reason. Every function
returns a new `ScoreSheet`; the input is never modified, so the store can persist
with a condition on the previous ``state``/``version`` (``version`` goes up by one on
every change).

The sheet records the criteria fingerprint it was opened with; scoring it against
another version of the tree is refused.
"""
from dataclasses import asdict, dataclass, field, replace

from core.errors import InvalidTransition, PermissionDenied, field_error, invalid
from core.roles import label as role_label

from . import audit

DRAFT, SUBMITTED = "draft", "submitted"
IMPORTED = "imported_fact"   # the scorer role of leaves whose marks come from facts
ADMIN_ROLES = ("admin",)


@dataclass(frozen=True)
class ScoreSheet:
    application_id: str
    reviewer_id: str
    role: str                       # the reviewer's scorer role, e.g. "reviewer", "counselor"
    criteria_fingerprint: str
    category: object = None         # the application's category, list of them or None
    scores: dict = field(default_factory=dict)     # {leaf_id: raw value}
    state: str = DRAFT
    version: int = 0
    submitted_at: str = None
    audit: tuple = ()               # audit entries (dicts), oldest first
    id: str = None
    campaign_id: str = None
    comment: str = None             # the reviewer's written opinion (评审意见), locked with the scores

    def to_dict(self):
        body = asdict(self)
        body["audit"] = list(self.audit)
        return body

    @classmethod
    def from_dict(cls, data):
        data = dict(data)
        data["audit"] = tuple(data.get("audit", ()))
        return cls(**data)


def _imported_error(leaf):
    return field_error(f"scores.{leaf.id}",
                       f"leaf {leaf.label} takes its mark from the program's facts (imported_fact); "
                       "no reviewer scores it",
                       f"指标{leaf.label_zh}的得分由项目从事实数据导入（imported_fact），评审人不对其评分")


def new_sheet(application_id, reviewer_id, role, tree, category=None, sheet_id=None, campaign_id=None):
    """An empty draft; ValidationFailed if the category does not fit the tree or the
    role is ``imported_fact`` (facts are not scored on sheets), PermissionDenied if
    the role scores no leaf of it."""
    if role == IMPORTED:
        raise invalid([field_error("role", "marks of imported_fact leaves come from the program's facts, "
                                   "not from score sheets", "imported_fact 指标的得分来自项目的事实数据，不使用评分表")])
    cats = _cats(category)
    for c in cats or [None]:
        tree.check_category(c)
    if not _role_leaves(tree, role, cats):
        raise PermissionDenied(f"{role_label(role, 'en')} scores no indicator of this criteria tree",
                               f"“{role_label(role)}”在本评分指标体系中没有可评的指标", field="role")
    return ScoreSheet(application_id, reviewer_id, role, tree.fingerprint, category=category,
                      id=sheet_id, campaign_id=campaign_id)


def _cats(category):
    if category is None:
        return []
    return [category] if isinstance(category, str) else list(category)


def _role_leaves(tree, role, cats):
    return [leaf.id for leaf in tree.leaves(cats if tree.categories else None) if role in leaf.scorer_roles()]


def validate_scores(sheet, scores, tree):
    """Check {leaf_id: value} for this sheet: the tree version, every leaf exists, is
    on the application's category tree and may be scored by the sheet's role
    (PermissionDenied), every value fits its leaf's scale (one ValidationFailed
    listing every bad value, each naming the leaf and its scale). None clears."""
    if sheet.criteria_fingerprint != tree.fingerprint:
        raise invalid([field_error("criteria_fingerprint",
                                   "the sheet was opened under another version of the criteria",
                                   "评分表对应的评分指标体系版本已变化")])
    allowed = set(_role_leaves(tree, sheet.role, _cats(sheet.category)))
    errors = []
    for leaf_id, value in scores.items():
        leaf = tree.leaf(leaf_id)
        if IMPORTED in leaf.scorer_roles() and sheet.role not in leaf.scorer_roles():
            errors.append(_imported_error(leaf))
            continue
        tree.check_scorer(leaf_id, sheet.role)
        if leaf_id not in allowed:
            node = tree.nodes[leaf_id]
            errors.append(field_error(f"scores.{leaf_id}",
                                      f"leaf {node.label} is not part of this application's category",
                                      f"指标{node.label_zh}不属于该申报的类别"))
        elif value is not None:
            problem = tree.score_problem(leaf_id, value)
            if problem:
                errors.append(problem)
    if errors:
        raise invalid(errors)


def save_draft(sheet, scores, tree, actor, comment=None):
    """Merge `scores` into a draft (a value of None removes a score) and, when
    `comment` is given, replace the reviewer's comment ("" clears it; None keeps it).
    Only the sheet's reviewer; InvalidTransition once submitted."""
    if audit.actor_id(actor) != sheet.reviewer_id:
        raise PermissionDenied("only the sheet's reviewer may edit a draft", "只有该评分表的评审人可以编辑草稿",
                               field="reviewer_id")
    if sheet.state != DRAFT:
        raise InvalidTransition("the sheet is submitted and locked; an admin change needs a reason",
                                "评分表已提交并锁定，管理员修改须说明理由", field="state")
    validate_scores(sheet, scores, tree)
    merged = {**sheet.scores, **scores}
    merged = {k: v for k, v in merged.items() if v is not None}
    kept = sheet.comment if comment is None else (comment.strip() or None)
    return replace(sheet, scores=merged, comment=kept, version=sheet.version + 1)


def sheet_points(scores, tree, role, category=None):
    """What the sheet's scores add up to on the 0..100 scale of the total, as the
    server counts it: {"points": the scored leaves' share of the total times their
    normalised value (None when nothing is scored), "max": the share of the total
    of every leaf the role scores, "shares": {leaf: percent of the total}}. None when
    the application is scored in several categories (no one tree of shares)."""
    cats = _cats(category)
    if len(cats) > 1:
        return None
    shares = tree.leaf_weights(cats[0] if cats else None)
    mine = [leaf_id for leaf_id in _role_leaves(tree, role, cats) if leaf_id in shares]
    scored = [leaf_id for leaf_id in mine if scores.get(leaf_id) is not None
              and tree.score_problem(leaf_id, scores[leaf_id]) is None]
    points = sum(100.0 * shares[i] * tree.normalise(i, scores[i]) for i in scored)
    return {"points": round(points, 6) if scored else None, "max": round(100.0 * sum(shares[i] for i in mine), 6),
            "shares": {i: round(100.0 * shares[i], 6) for i in mine}}


def missing_leaves(sheet, tree):
    """Leaf ids this sheet's role must still score."""
    return [i for i in _role_leaves(tree, sheet.role, _cats(sheet.category)) if i not in sheet.scores]


def submit(sheet, tree, actor, at=None):
    """draft -> submitted (locked). Every leaf the role scores must be filled."""
    if audit.actor_id(actor) != sheet.reviewer_id:
        raise PermissionDenied("only the sheet's reviewer may submit it", "只有该评分表的评审人可以提交",
                               field="reviewer_id")
    if sheet.state != DRAFT:
        raise InvalidTransition("the sheet is already submitted", "评分表已提交", field="state")
    validate_scores(sheet, sheet.scores, tree)
    missing = missing_leaves(sheet, tree)
    if missing:
        raise invalid([field_error(f"scores.{i}", f"leaf {tree.nodes[i].label} is not scored yet",
                                   f"指标{tree.nodes[i].label_zh}尚未评分") for i in missing])
    stamp = audit.timestamp(at)
    return replace(sheet, state=SUBMITTED, submitted_at=stamp, version=sheet.version + 1,
                   audit=sheet.audit + (audit.entry("submitted", actor, stamp),))


def _require_admin(actor, admin_roles, what_en, what_zh):
    if not audit.actor_roles(actor) & set(admin_roles):
        raise PermissionDenied(f"only an admin may {what_en}", f"只有管理员可以{what_zh}", field="actor")


def admin_change(sheet, changes, tree, actor, reason, at=None, admin_roles=ADMIN_ROLES):
    """Change scores of a submitted sheet. Needs an admin and a reason; appends one
    audit entry {"action": "changed", "by", "at", "reason", "changes": [{"leaf",
    "old", "new"}]}. The sheet stays submitted."""
    _require_admin(actor, admin_roles, "change a submitted sheet", "修改已提交的评分表")
    reason = audit.require_reason(reason)
    if sheet.state != SUBMITTED:
        raise InvalidTransition("only a submitted sheet is changed this way; the reviewer edits drafts",
                                "只有已提交的评分表才可由管理员修改，草稿由评审人编辑", field="state")
    if any(v is None for v in changes.values()):
        raise invalid([field_error("scores", "a submitted sheet keeps a score for every leaf",
                                   "已提交的评分表须保留每项指标的评分")])
    validate_scores(sheet, changes, tree)
    diff = [{"leaf": k, "old": sheet.scores.get(k), "new": v} for k, v in changes.items()
            if sheet.scores.get(k) != v]
    if not diff:
        return sheet
    stamp = audit.timestamp(at)
    return replace(sheet, scores={**sheet.scores, **changes}, version=sheet.version + 1,
                   audit=sheet.audit + (audit.entry("changed", actor, stamp, reason, changes=diff),))


def reopen(sheet, actor, reason, at=None, admin_roles=ADMIN_ROLES):
    """submitted -> draft, so the reviewer can edit again; admin and reason, audited."""
    _require_admin(actor, admin_roles, "reopen a submitted sheet", "退回已提交的评分表")
    reason = audit.require_reason(reason)
    if sheet.state != SUBMITTED:
        raise InvalidTransition("only a submitted sheet can be reopened", "只有已提交的评分表可以退回", field="state")
    stamp = audit.timestamp(at)
    return replace(sheet, state=DRAFT, submitted_at=None, version=sheet.version + 1,
                   audit=sheet.audit + (audit.entry("reopened", actor, stamp, reason),))
