"""What crosses the domain API is JSON-friendly (it goes over RPC and into MongoDB)."""
import json

from services.scoring.domain import (
    ScoreSheet, auto_assign, explain, new_sheet, save_draft, score_campaign, select, select_by_category,
    submit, veto)


def roundtrip(obj):
    return json.loads(json.dumps(obj, ensure_ascii=False))


def test_results_survive_json(dorm_tree):
    r1 = {"id": "r1", "roles": ["reviewer"]}
    s = new_sheet("d1", "r1", "reviewer", dorm_tree, category="环境优美型")
    s = submit(save_draft(s, {"theory": 8, "no_violation": True, "env": 9}, dorm_tree, r1), dorm_tree, r1,
               at="2023-10-25T00:00:00.000Z")
    assert ScoreSheet.from_dict(roundtrip(s.to_dict())) == s
    scores = score_campaign(dorm_tree, [s], categories={"d1": "环境优美型"})
    assert roundtrip(scores) == scores
    v = veto("d2", "x", {"id": "u", "roles": ["admin"]}, at="2023-10-25T00:00:00.000Z")
    assert roundtrip(v.to_dict()) == v.to_dict()
    sel = select([{"application_id": "d1", "total": scores["d1"]["total"], "units": {"class_id": "c"}}],
                 [{"kind": "fixed", "count": 1}, {"kind": "per_unit_cap", "unit": "class_id", "max": 1}], vetoes=[v])
    assert roundtrip(sel) == sel
    cat = select_by_category([{"application_id": "d1", "scores": {"环境优美型": 90.0}}], {"环境优美型": [0, 1]}, 1)
    assert roundtrip(cat) == cat
    ex = explain(dorm_tree, scores["d1"], sel, [v], viewer_may_see_reviewers=True)
    assert roundtrip(ex) == ex
    asg = auto_assign([{"application_id": "d1"}], [{"reviewer_id": "r1"}], 1, at="t")
    assert roundtrip(asg) == asg
    assert roundtrip(dorm_tree.to_dict()) == dorm_tree.to_dict()
