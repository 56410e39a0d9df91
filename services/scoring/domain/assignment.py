"""Reviewer assignment (评审分配): by hand and automatically, never with a conflict of
interest (利益冲突回避), plus blind review (匿名评审) and "a reviewer sees only what
they were assigned".

Shapes::

    reviewer    = {"reviewer_id": "t1", "units": {"class_id": "c1", "dorm_id": ...,
                                                  "branch_id": ..., "college_id": ...}}
    application = {"application_id": "a1", "units": {...same keys...},
                   "member_ids": ["s1", ...]}          # optional
    assignment  = {"application_id", "reviewer_id", "source": "manual" | "auto",
                   "by", "at"}
    policy      = {"fields": ["class_id", "dorm_id", "branch_id"],   # the default
                   "same_college": false,                            # true adds college_id
                   "declared": [["t1", "a7"], ...]}                  # declared conflicts

A unit value may be a string or a list (a dorm whose members are in two classes);
two values conflict when they share an element. A reviewer who is a member of the
application (``member_ids``) always conflicts.
"""
from dataclasses import dataclass

import numpy as np

from core.errors import Conflict, PermissionDenied, field_error, invalid

from .audit import actor_id, timestamp
from .balanced_loads import balanced_pairs

DEFAULT_CONFLICT_FIELDS = ("class_id", "dorm_id", "branch_id")
IDENTIFYING_FIELDS = (
    "name", "applicant_name", "applicant_id", "student_id", "student_no", "members", "member_ids",
    "member_names", "leader", "leader_name", "secretary", "advisor", "class_id", "class_name", "dorm_id",
    "dorm_name", "branch_id", "branch_name", "college_id", "college_name", "phone", "email", "id_card",
    "avatar", "created_by", "submitted_by", "units",
)
_UNIT_NAMES = {"class_id": ("class", "班级"), "dorm_id": ("dorm", "寝室"), "branch_id": ("branch", "支部"),
               "college_id": ("college", "学院")}


@dataclass(frozen=True)
class ConflictPolicy:
    """Which relations disqualify a reviewer (declared by the program/campaign)."""

    fields: tuple = DEFAULT_CONFLICT_FIELDS
    same_college: bool = False
    declared: frozenset = frozenset()

    @classmethod
    def from_dict(cls, data):
        data = data or {}
        return cls(tuple(data.get("fields", DEFAULT_CONFLICT_FIELDS)), bool(data.get("same_college", False)),
                   frozenset(tuple(p) for p in data.get("declared", ())))

    @classmethod
    def coerce(cls, policy):
        return policy if isinstance(policy, cls) else cls.from_dict(policy)

    def to_dict(self):
        return {"fields": list(self.fields), "same_college": self.same_college,
                "declared": sorted(list(p) for p in self.declared)}


def _as_set(value):
    if value is None:
        return set()
    return set(value) if isinstance(value, (list, tuple, set)) else {value}


def conflict_kinds(reviewer, application, policy=None):
    """Why `reviewer` may not review `application`, as [(kind, shared unit ids)]:
    kind is "member", a unit field ("class_id", "dorm_id", "branch_id",
    "college_id") or "declared"; empty = no conflict."""
    policy = ConflictPolicy.coerce(policy)
    rid, aid = reviewer["reviewer_id"], application["application_id"]
    out = []
    if rid in _as_set(application.get("member_ids")):
        out.append(("member", []))
    fields = list(policy.fields) + (["college_id"] if policy.same_college else [])
    r_units, a_units = reviewer.get("units") or {}, application.get("units") or {}
    for f in fields:
        shared = _as_set(r_units.get(f)) & _as_set(a_units.get(f))
        if shared:
            out.append((f, sorted(map(str, shared))))
    if (rid, aid) in policy.declared:
        out.append(("declared", []))
    return out


def conflicts(reviewer, application, policy=None):
    """Why `reviewer` may not review `application`: a list of (en, zh); empty = none."""
    out = []
    for kind, shared in conflict_kinds(reviewer, application, policy):
        if kind == "member":
            out.append(("is a member of the applicant", "是申报对象的成员"))
        elif kind == "declared":
            out.append(("declared conflict of interest", "已申报的利益冲突"))
        else:
            en, zh = _UNIT_NAMES.get(kind, (kind, kind))
            out.append((f"same {en} ({', '.join(shared)})", f"同一{zh}（{'、'.join(shared)}）"))
    return out


def assign(assignments, application, reviewer, policy=None, actor=None, at=None):
    """A manual assignment record; ValidationFailed naming the conflict, Conflict when
    the pair is already assigned."""
    rid, aid = reviewer["reviewer_id"], application["application_id"]
    if any(a["application_id"] == aid and a["reviewer_id"] == rid for a in assignments):
        raise Conflict(f"reviewer {rid!r} is already assigned to application {aid!r}",
                       f"评审人 {rid!r} 已分配评审申报 {aid!r}", field="reviewer_id")
    why = conflicts(reviewer, application, policy)
    if why:
        raise invalid([field_error(
            "reviewer_id",
            f"reviewer {rid!r} has a conflict of interest with application {aid!r}: {'; '.join(e for e, _ in why)}",
            f"评审人 {rid!r} 与申报 {aid!r} 存在利益冲突：{'；'.join(z for _, z in why)}")])
    return {"application_id": aid, "reviewer_id": rid, "source": "manual",
            "by": actor_id(actor) if actor is not None else None, "at": timestamp(at)}


def auto_assign(applications, reviewers, k, policy=None, existing=(), at=None, actor=None):
    """New assignment records so that every application has `k` conflict-free
    reviewers, counting `existing` assignments (kept as they are).

    Guarantees: no conflict of interest; no reviewer twice on one application; the
    loads (existing + new, over all `reviewers`) are as balanced as possible: the
    difference between the largest and the smallest load is minimal, so it is <= 1
    whenever the conflicts allow it. Solved exactly by maximum flows
    (balanced_loads.py) on a graph built in id order, so the result does not depend
    on the input order. Raises ValidationFailed listing every application with fewer
    than `k` conflict-free reviewers.
    """
    policy = ConflictPolicy.coerce(policy)
    apps = sorted(applications, key=lambda a: a["application_id"])
    revs = sorted(reviewers, key=lambda r: r["reviewer_id"])
    rindex = {r["reviewer_id"]: j for j, r in enumerate(revs)}
    have = {}
    load = np.zeros(len(revs))
    for a in existing:
        have.setdefault(a["application_id"], set()).add(a["reviewer_id"])
        if a["reviewer_id"] in rindex:
            load[rindex[a["reviewer_id"]]] += 1
    pairs, need, errors = [], [], []
    for i, app in enumerate(apps):
        aid = app["application_id"]
        taken = have.get(aid, set())
        free = [j for j, r in enumerate(revs) if r["reviewer_id"] not in taken and not conflicts(r, app, policy)]
        missing = max(0, k - len(taken))
        if len(free) < missing:
            errors.append(field_error(
                f"applications.{aid}",
                f"application {aid!r} can get only {len(free) + len(taken)} conflict-free reviewers, needs {k}",
                f"申报 {aid!r} 仅有 {len(free) + len(taken)} 名无利益冲突的评审人，需要 {k} 名"))
        pairs.extend((i, j) for j in free)
        need.append(missing)
    if errors:
        raise invalid(errors)
    if not pairs or not any(need):
        return []
    pi = np.array([p[0] for p in pairs])
    pj = np.array([p[1] for p in pairs])
    x = balanced_pairs(need, pi, pj, load)   # found: each application has its pairs (checked above)
    stamp = timestamp(at)
    by = actor_id(actor) if actor is not None else None
    return [{"application_id": apps[pi[v]]["application_id"], "reviewer_id": revs[pj[v]]["reviewer_id"],
             "source": "auto", "by": by, "at": stamp} for v in np.flatnonzero(x)]


def loads(assignments, reviewer_ids=()):
    """{reviewer_id: number of applications}, zero for listed reviewers with none."""
    out = {r: 0 for r in reviewer_ids}
    for a in assignments:
        out[a["reviewer_id"]] = out.get(a["reviewer_id"], 0) + 1
    return out


def assigned_application_ids(assignments, reviewer_id):
    """What this reviewer may see, sorted."""
    return sorted({a["application_id"] for a in assignments if a["reviewer_id"] == reviewer_id})


def ensure_assigned(assignments, reviewer_id, application_id):
    """PermissionDenied unless the reviewer was assigned this application."""
    if not any(a["reviewer_id"] == reviewer_id and a["application_id"] == application_id for a in assignments):
        raise PermissionDenied(f"reviewer {reviewer_id!r} is not assigned to application {application_id!r}",
                               f"评审人 {reviewer_id!r} 未被分配评审申报 {application_id!r}",
                               field="application_id")


def blind_view(view, fields=IDENTIFYING_FIELDS, alias=None):
    """A copy of an application view without applicant-identifying fields, at any
    depth (nested dicts and lists); ``alias`` (e.g. "申报 #17") replaces the name.

    Guarantee: no key in `fields` survives anywhere in the result; the input is not
    modified. Free text and attachments are passed through as they are: a program
    that needs them blind must keep names out of them (or list those fields too).
    """
    drop = set(fields)

    def strip(x):
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if k not in drop}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x
    out = strip(view)
    out["blind"] = True
    if alias is not None:
        out["alias"] = alias
    return out
