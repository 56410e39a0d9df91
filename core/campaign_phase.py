"""The one phase (阶段) a campaign is in, as every page shows it: 未开始, 申报中, 审核中,
评审中, 公示中, 已定稿, 实施中, 已结项 (or 已撤销). Plain Python, no service: the
applications service computes it into every campaign view (`phase`), and every page
and guard reads it from there, so no two places disagree.

`campaign_phase(campaign, facts, now)`, where `campaign` is the stored campaign (or
its view: times as aware datetimes or ISO strings) and `facts` what other
collections know of it:
  * ``results_published``: a round of review results was published (a shortlist);
  * ``notice``: a public notice (公示) was opened;
  * ``final_list``: the final list (正式名单) exists;
  * ``implementation``: a stage report (中期检查 / 结项验收) was filed.
The campaign's own ``closed_at`` (结项) ends it.

The order of the rules is the life cycle read backwards: the latest milestone
reached decides. Before results are published, a campaign whose application window
has closed is 审核中 (counselors and colleges check the applications) until its
review window opens (or, without one, until results are published: 评审中 ends there).
"""
from datetime import datetime, timezone

#: Every phase in life-cycle order (labels: core/labels.py, vocabulary "campaign_phase").
PHASES = ("upcoming", "applying", "checking", "reviewing", "notice", "final", "implementation", "closed",
          "withdrawn")


def _moment(value):
    if isinstance(value, str) and value:
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def campaign_phase(campaign, facts, now):
    """The phase code (one of PHASES); see the module docstring."""
    facts = facts or {}
    if campaign.get("state") == "withdrawn":
        return "withdrawn"
    if campaign.get("closed_at"):
        return "closed"
    if facts.get("final_list"):
        return "implementation" if facts.get("implementation") else "final"
    if facts.get("notice"):
        return "notice"
    opens, closes = _moment(campaign.get("application_opens_at")), _moment(campaign.get("application_closes_at"))
    if facts.get("results_published"):
        return "reviewing"
    if opens is None or closes is None or now < opens:
        return "upcoming"
    if now < closes:
        return "applying"
    review_opens = _moment(campaign.get("review_opens_at"))
    if review_opens is not None and review_opens <= now:
        return "reviewing"
    return "checking"


def accepts_applications(phase):
    """Whether a new application may be created in this phase: only while 申报中 (the
    window alone is not enough once results, a notice or a final list exist)."""
    return phase == "applying"
