"""What a selection says of each application and of its cut line, in one place for
both selection paths (the dicts of `quota`, `category_quota`; the arrays of
`quota_arrays`), so the same outcome is worded the same whichever path computed it.

An outcome is ``{"status": "in" | "out", "reason", "rank", "grade", "message",
"message_zh"}``; a point of a cut line ``{"application_id", "rank", "total"}``.
"""
from core import labels


def point(e):
    """The cut-line point of a ranking entry (None stays None)."""
    return None if e is None else {"application_id": e["application_id"], "rank": e["rank"], "total": e["total"]}


def cut_line(ranking, chosen):
    """{"last_selected", "first_not_selected"} of `ranking` (entries in rank order)
    and the ids `chosen`: the lowest-ranked chosen entry and the best-ranked entry
    below it that was not chosen (from the top when none was)."""
    last = max((i for i, e in enumerate(ranking) if e["application_id"] in chosen), default=None)
    start = 0 if last is None else last + 1
    nxt = next((e for e in ranking[start:] if e["application_id"] not in chosen), None)
    return {"last_selected": point(None if last is None else ranking[last]), "first_not_selected": point(nxt)}


def out(rank, reason, en, zh, grade=None):
    """An outcome of an application left out, ranked `rank` (None: not ranked)."""
    return {"status": "out", "reason": reason, "rank": rank, "grade": grade, "message": en, "message_zh": zh}


def vetoed(v):
    """The outcome of a vetoed application (`v`: its Veto, or None when only its id
    is known), the veto's reason in the message."""
    why = f": {v.reason}" if v is not None else ""
    why_zh = f"：{v.reason_zh or v.reason}" if v is not None else ""
    return out(None, "vetoed", f"vetoed (one-vote veto){why}", f"一票否决{why_zh}")


# The words of the outcomes a count rule gives a ranked application, by reason: each
# filled with its rank ({rank}) and the rule's figures. `ranked` words thousands at
# once (a school's ranking); the one-at-a-time functions below word one by it.
_WORDS = {
    "selected": ("selected, ranked {rank}", "入选，排名第 {rank}"),
    "below_cut_line": ("ranked {rank}, below the cut line (quota {quota})", "排名第 {rank}，未进入名额（名额 {quota} 个）"),
    "unit_cap_reached": ("ranked {rank}, but its {en} already has {cap} selected, the most allowed",
                         "排名第 {rank}，但其{zh}已入选 {cap} 个，达到上限"),
}


def ranked(reason, ranks, **figures):
    """The outcomes of the applications ranked `ranks` left with `reason` (a key of
    _WORDS) under a count rule, one per rank in that order: the words around the
    rank filled once with the rule's `figures`, then each rank put between them (a
    call per application cost twice as much at 100,000, and `str.format` per rank
    twice as much again)."""
    (en_a, en_b), (zh_a, zh_b) = (tuple(part.format(**figures) for part in words.split("{rank}"))
                                  for words in _WORDS[reason])
    status = "in" if reason == "selected" else "out"
    return [{"status": status, "reason": reason, "rank": r, "grade": None, "message": f"{en_a}{r}{en_b}",
             "message_zh": f"{zh_a}{r}{zh_b}"} for r in ranks]


def cap_figures(unit, cap):
    """The figures of "unit_cap_reached": the unit named by its label ("所带班级"),
    never by the field or the unit's id, which a person cannot read ("单位" when
    the field has no label)."""
    return {"zh": labels.field_label(unit) or "单位", "en": (labels.field_label(unit, "en") or "unit").lower(),
            "cap": cap}


def selected(rank):
    """The outcome of an application selected by a count rule (no grades)."""
    return ranked("selected", [rank])[0]


def below_cut_line(rank, quota):
    return ranked("below_cut_line", [rank], quota=quota)[0]


def below_min_score(rank, total, min_score):
    return out(rank, "below_min_score", f"total {total:.2f} is below the required {min_score}",
               f"总分 {total:.2f} 低于达标线 {min_score}")


def unit_cap_reached(rank, unit, cap):
    """Left out because the application's `unit` (a field such as class_id) already
    has `cap` selected (`cap_figures`)."""
    return ranked("unit_cap_reached", [rank], **cap_figures(unit, cap))[0]
