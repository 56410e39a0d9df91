"""What data cannot say about pilot branch projects."""
from decimal import Decimal

from core.errors import field_error
from core.program import ProgramHooks


class PilotBranchHooks(ProgramHooks):
    def validate_application(self, form, context):
        """The planned budget may not exceed the highest tier's cap of this campaign
        (its settings may lower the caps of the notice)."""
        tiers = (context.get("campaign") or {}).get("settings", {}).get("tiers") or []
        budget = form.get("planned_budget_yuan")
        if not tiers or budget is None:
            return []
        top_fen = max(t["cap_fen"] for t in tiers)
        if Decimal(budget) * 100 > top_fen:
            top = f"{top_fen / 100:.2f}"
            return [field_error(
                "planned_budget_yuan",
                f"The planned budget exceeds the highest tier's cap of {top} yuan.",
                f"预算金额超过最高档次上限 {top} 元",
            )]
        return []

    def check_eligibility(self, context):
        """A project is led by a party branch (one project per branch is enforced
        by the applications service's unique index)."""
        applicant = context.get("applicant") or {}
        if applicant.get("kind") != "branch":
            return [{
                "code": "not_a_branch",
                "message": "Only a party branch may apply for a pilot project.",
                "message_zh": "仅党支部可申报对标争先项目",
            }]
        return []
