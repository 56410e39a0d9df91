"""Shared test data and an in-memory store that applies Outcomes by the documented
protocol (updates → inserts → entries → event), with the same guard semantics the
MongoDB store will use."""
import copy
from datetime import datetime, timezone

from core.errors import ChuangxianError
from services.funding.domain import campaigns, grants
from services.funding.domain.guards import apply_update
from services.funding.domain.rules import register_rules

UTC = timezone.utc

# The pilot-branch (对标争先) rules as the plugin will register them (seed 003).
PILOT_RULES = {
    "program": "pilot_branches",
    "tiers": [
        {"code": "key", "name": "重点", "name_en": "key", "cap_fen": 500000,
         "closing_materials": ["closing_report", "work_case", "article_link"]},
        {"code": "featured", "name": "特色", "name_en": "featured", "cap_fen": 300000,
         "closing_materials": ["closing_report", "work_case", "article_link"]},
        {"code": "general", "name": "一般", "name_en": "general", "cap_fen": 100000,
         "closing_materials": ["closing_report", "activity_summary"]},
    ],
    "approval_steps": ["advisor", "college", "finance"],
    "deadlines": {
        "file_claim": {"opens": "implementation_start", "closes": "closing_deadline"},
        "submit_material": {"closes": "closing_deadline"},
    },
}

DEADLINES = {
    "implementation_start": "2025-10-01T00:00:00+08:00",
    "implementation_end": "2025-12-31T23:59:59+08:00",
    "closing_deadline": "2025-12-15T17:00:00+08:00",
}

NOW = datetime(2025, 10, 20, 2, 0, tzinfo=UTC)          # 2025-10-20 10:00 Shanghai

SCHOOL = {"id": "u-school", "name": "学工部王老师", "roles": ["school_admin"]}
FINANCE = {"id": "u-fin", "name": "财务处赵老师", "roles": ["finance"]}
COLLEGE = {"id": "u-col", "name": "机电学院刘老师", "roles": ["college_admin"],
           "college_id": "col-me"}
OTHER_COLLEGE = {"id": "u-col2", "name": "计算机学院陈老师", "roles": ["college_admin"],
                 "college_id": "col-cs"}
LEAD = {"id": "u-lead", "name": "支部书记张三", "roles": ["student"]}
ADVISOR = {"id": "u-adv", "name": "指导老师李四", "roles": ["faculty"]}
STRANGER = {"id": "u-x", "name": "路人", "roles": []}


def pilot_rules(**changes):
    return register_rules({**copy.deepcopy(PILOT_RULES), **changes})


def project(pid="p1", college="col-me", lead="u-lead", advisor="u-adv", status="approved",
            campaign_id="camp"):
    return {"id": pid, "campaign_id": campaign_id, "college_id": college, "lead_id": lead,
            "advisor_id": advisor, "title": f"项目{pid}", "status": status}


def item(amount_yuan, description="打印宣传材料", **extra):
    return {"description": description, "amount_yuan": amount_yuan, **extra}


def claim_request(*amounts_yuan, receipts=("att-1",), purpose="主题党日活动物料"):
    return {"items": [item(a) for a in amounts_yuan], "receipts": list(receipts),
            "purpose": purpose}


class MemStore:
    """Applies Outcomes like the MongoDB store must: each GuardedUpdate atomically
    (here: one at a time), replays skipped, refusals raised after compensations,
    inserts and ledger entries unique on id, events unique on event_id."""

    def __init__(self):
        self.docs = {"campaign": {}, "grant": {}, "claim": {}}
        self.ledger = []
        self.events = []

    def get(self, coll, doc_id):
        return copy.deepcopy(self.docs[coll].get(doc_id))

    def apply(self, outcome):
        if outcome.replay:
            return outcome.result
        applied = False
        for update in outcome.updates:
            try:
                new, did = apply_update(self.docs[update.doc].get(update.id), update)
            except ChuangxianError:
                if applied:
                    for comp in outcome.compensations:
                        doc = self.docs[comp.doc].get(comp.id)
                        self.docs[comp.doc][comp.id], _ = apply_update(doc, comp)
                raise
            if did:
                self.docs[update.doc][update.id] = new
                applied = True
        for coll, doc in outcome.inserts:
            self.docs[coll].setdefault(doc["id"], copy.deepcopy(doc))
        ids = {e["id"] for e in self.ledger}
        self.ledger.extend(copy.deepcopy(e) for e in outcome.entries if e["id"] not in ids)
        if outcome.event and outcome.event["event_id"] not in {e["event_id"] for e in self.events}:
            self.events.append(copy.deepcopy(outcome.event))
        return outcome.result

    def claims_of(self, grant_id):
        return [copy.deepcopy(c) for c in self.docs["claim"].values() if c["grant_id"] == grant_id]


def open_campaign(store, rules, budget_fen=2_000_000, campaign_id="camp", deadlines=DEADLINES):
    out = campaigns.open_campaign({"id": campaign_id, "budget_fen": budget_fen,
                                   "deadlines": deadlines}, rules, FINANCE, NOW)
    store.apply(out)
    return store.get("campaign", campaign_id)


def funded(tier="key", amount_fen=500000, budget_fen=2_000_000, rules=None, **project_kw):
    """A store with an open campaign and one awarded grant: (store, rules, campaign, grant)."""
    rules = rules or pilot_rules()
    store = MemStore()
    open_campaign(store, rules, budget_fen)
    proj = project(**project_kw)
    store.apply(grants.award_grant(store.get("campaign", "camp"), rules, proj,
                                   {"tier": tier, "amount_fen": amount_fen}, SCHOOL, NOW))
    return store, rules, store.get("campaign", "camp"), store.get("grant", f"grant-{proj['id']}")
