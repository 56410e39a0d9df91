"""Domain core of the scoring service: plain Python + NumPy/SciPy, no transport, no
database. One module per rule family:

- `scales`: leaf scales (range, pass/fail, count with a declared formula)
- `criteria`: the weighted criteria tree, its validation and fingerprint
- `score_sheet`: draft -> submitted sheets, audited admin changes
- `aggregation`: marks, mean/median/trimmed mean, per-reviewer z-score, totals
- `bulk`: the same aggregation and ranking on NumPy arrays, for large campaigns
- `vetoes`: one-vote vetoes (manual and rule-based)
- `ranking`: total order with declared tie-breaks
- `quota`: half-up rounding, quota rules, selection, grades, apportionment
- `category_selection`: optimal per-category selection with ranges and a total (MILP)
- `category_quota`: a ``per_category`` quota rule selected in the shape of `quota.select`
- `plugin_inputs`: the program's scoring inputs (categories, facts, imported marks, ...)
- `computation`: one campaign's results from everything they depend on (pure)
- `assignment`: conflict-free, balanced reviewer assignment; blind views
- `explain`: explain-my-score
- `audit`: audit entries and timestamps
"""
from .aggregation import AggregationPolicy, Mark, aggregate, score_application, score_campaign
from .assignment import ConflictPolicy, assign, auto_assign, blind_view, conflicts, ensure_assigned
from .category_selection import select_by_category
from core.declaration.criteria_tree import SCORER_ROLES, CriteriaTree
from .explain import explain
from .quota import apportion, percent_of, quota_size, round_half_up, select, select_from_ranking
from .ranking import rank
from .score_sheet import ScoreSheet, admin_change, new_sheet, reopen, save_draft, submit
from .vetoes import Veto, apply_veto_rules, revoke_veto, veto, vetoed_ids

__all__ = [
    "AggregationPolicy", "Mark", "aggregate", "score_application", "score_campaign",
    "ConflictPolicy", "assign", "auto_assign", "blind_view", "conflicts", "ensure_assigned",
    "select_by_category", "SCORER_ROLES", "CriteriaTree", "explain",
    "apportion", "percent_of", "quota_size", "round_half_up", "select", "select_from_ranking",
    "rank", "ScoreSheet", "admin_change", "new_sheet", "reopen", "save_draft", "submit",
    "Veto", "apply_veto_rules", "revoke_veto", "veto", "vetoed_ids",
]
