"""Through the real gateway: the rules the funding pages rely on. Awards from a real
final list: a tier other than the review's grade needs a reason (kept on the grant),
the advisor must exist and hold the advisor role, the budget is never exceeded (the
batch is refused whole; the job awards the rest); finance cannot pay without the
payment reference (凭证号), which the claim and the ledger keep; the closing
materials are passed, or returned only with a reason, before the project closes.
Every refusal is a 4xx naming the field and changes nothing."""
import io
import uuid

from tests.integration.helpers import PDF, another_pdf, finish_job
from tests.integration.lifecycle_helpers import finalised_two_branches

ADMIN, FINANCE, SECRETARY = "admin", "finance", "2023010101"
COUNSELOR_ME, ADVISOR, ADVISOR_EM, STUDENT = "counselor_me", "teacher_me", "teacher_em", "2023010102"


def post(http, who, url, body, key=True):
    return http.as_(who, "POST", url, json=body, headers={"Idempotency-Key": uuid.uuid4().hex} if key else {})


def _final_list(rpc, http, config, mongo):
    """A campaign whose final list grades branch_me1 key (重点) and branch_em1 general (一般)."""
    campaign, me1, em1 = finalised_two_branches(rpc, http, config, mongo, ADMIN)
    return campaign["id"], me1, em1


def _grants(mongo):
    db = mongo("funding")
    return db.grants.count_documents({}), db.ledger.count_documents({"kind": "grant_awarded"})


def test_awards_follow_the_grade_unless_a_reason_is_given_within_the_budget(rpc, http, config, mongo):
    cid, me1, em1 = _final_list(rpc, http, config, mongo)
    assert post(http, ADMIN, "/api/funding/campaigns", {"campaign_id": cid, "budget_yuan": "4000"}).status_code == 201
    single = f"/api/funding/campaigns/{cid}/grants"
    batch = f"/api/funding/campaigns/{cid}/grants/batch"
    me_key = {"application_id": me1, "tier": "key", "amount_yuan": "3500", "advisor_id": "p_teacher_me"}

    # One at a time: the tier the review did not propose needs a reason; advisors must be advisors.
    refusals = [
        (dict(me_key, tier="featured", amount_yuan="3000"), 422, "tier_reason", "评审结果建议为重点项目"),
        (dict(me_key, tier="featured", amount_yuan="3000", tier_reason="  "), 422, "tier_reason", "须填写理由"),
        (dict(me_key, advisor_id="p_nobody"), 422, "advisor_id", "不存在"),
        (dict(me_key, advisor_id=f"p_{STUDENT}"), 422, "advisor_id", "不是指导教师"),
        (dict(me_key, amount_yuan="4000.01"), 409, "amount_fen", "¥4,000.00"),   # within the cap, over the budget
    ]
    before = _grants(mongo)
    for body, status, field, zh in refusals:
        response = post(http, ADMIN, single, body)
        assert response.status_code == status, (body, response.json)
        assert response.json["field"] == field and zh in response.json["message_zh"], (body, response.json)
    assert _grants(mongo) == before == (0, 0)

    # Many at once: every row is checked first, each problem named by its row; nothing awarded.
    em_general = {"application_id": em1, "tier": "general", "amount_yuan": "1000", "advisor_id": "p_teacher_em"}
    bad = post(http, ADMIN, batch, {"awards": [dict(me_key, tier="featured", amount_yuan="3000"),
                                              dict(em_general, amount_yuan="1000.01")]}, key=False)
    assert bad.status_code == 422, bad.json
    assert {d["field"] for d in bad.json["details"]} == {"awards[0].tier_reason", "awards[1].amount_fen"}
    over = post(http, ADMIN, batch, {"awards": [me_key, em_general]}, key=False)       # 3500 + 1000 > 4000
    assert over.status_code == 409 and over.json["field"] == "awards" and "¥4,000.00" in over.json["message_zh"]
    assert post(http, SECRETARY, batch, {"awards": [me_key]}, key=False).status_code == 403
    assert _grants(mongo) == (0, 0)

    # Within the budget: the job awards both; the changed tier keeps its reason.
    good = [dict(me_key, tier="featured", amount_yuan="3000", tier_reason="创新性突出但预算偏高，调整为特色"),
            em_general]
    job = finish_job(http, ADMIN, post(http, ADMIN, batch, {"awards": good}, key=False))
    assert job["state"] == "succeeded" and job["result"] == {"awarded": 2, "rows": 2, "refused": []}, job
    grants = {g["project_id"]: g for g in http.as_(FINANCE, "GET", f"/api/funding/campaigns/{cid}/grants").json}
    assert (grants[me1]["tier"], grants[me1]["proposed_tier"], grants[me1]["tier_reason"]) == (
        "featured", "key", "创新性突出但预算偏高，调整为特色")
    assert (grants[em1]["proposed_tier"], grants[em1]["tier_reason"], grants[em1]["advisor_name"]) == (
        "general", None, "林老师")
    left = http.as_(ADMIN, "GET", f"/api/funding/campaigns/{cid}").json
    assert (left["granted_fen"], left["available_fen"]) == (400_000, 0)
    # The same batch again awards nothing twice; the budget cannot be lowered below what is granted.
    again = finish_job(http, ADMIN, post(http, ADMIN, batch, {"awards": good}, key=False))
    assert again["result"]["awarded"] == 2 and _grants(mongo) == (2, 2)
    lower = http.as_(ADMIN, "PUT", f"/api/funding/campaigns/{cid}/budget", json={"budget_yuan": "3999", "reason": "压减"},
                     headers={"Idempotency-Key": uuid.uuid4().hex})
    assert lower.status_code == 422 and lower.json["field"] == "budget_fen"


def test_payment_reference_and_the_closing_review(rpc, http, mongo):
    from .conftest import LEAD, approved_application, award, new_campaign, open_budget
    campaign = new_campaign(rpc)
    app = approved_application(rpc, campaign["id"], LEAD)
    open_budget(rpc, campaign["id"])
    gid = award(rpc, campaign["id"], app["id"], "general", "1000")["id"]
    upload = http.as_(SECRETARY, "POST", f"/api/funding/grants/{gid}/attachments",
                      data={"kind": "receipt", "file": (io.BytesIO(PDF), "发票.pdf")}, content_type="multipart/form-data")
    claim = post(http, SECRETARY, f"/api/funding/grants/{gid}/claims", {
        "items": [{"description": "展板", "amount_yuan": "300"}], "receipts": [upload.json["id"]], "purpose": "展板"}).json
    # Everyone who approves or pays sees the receipt's file on the claim.
    for who in (ADVISOR, COUNSELOR_ME, FINANCE):
        waiting = http.as_(who, "GET", "/api/funding/approvals").json
        assert [f["filename"] for f in waiting[0]["receipt_files"]] == ["发票.pdf"], who
        assert post(http, who, f"/api/funding/claims/{claim['id']}/actions", {"action": "approve"}).status_code == 200
    actions = f"/api/funding/claims/{claim['id']}/actions"
    for body in ({"action": "pay"}, {"action": "pay", "payment_reference": "   "}):
        refused = post(http, FINANCE, actions, body)
        assert refused.status_code == 422 and refused.json["field"] == "payment_reference", refused.json
        assert "付款凭证号" in refused.json["message_zh"]
    too_long = post(http, FINANCE, actions, {"action": "pay", "payment_reference": "9" * 65})
    assert too_long.status_code == 422 and too_long.json["field"] == "payment_reference"
    assert http.as_(FINANCE, "GET", f"/api/funding/claims/{claim['id']}").json["status"] == "finance_approved"
    paid = post(http, FINANCE, actions, {"action": "pay", "payment_reference": "记-2025-0118"}).json
    assert (paid["status"], paid["payment_reference"]) == ("paid", "记-2025-0118")
    ledger = http.as_(SECRETARY, "GET", f"/api/funding/grants/{gid}/ledger").json
    assert [e.get("reference") for e in ledger if e["kind"] == "claim_paid"] == ["记-2025-0118"]

    # Closing: materials in, reviewed (a return needs a reason), then closed.
    review = f"/api/funding/grants/{gid}/materials/review"
    early = post(http, ADMIN, review, {"decision": "pass"})
    assert early.status_code == 422 and early.json["field"] == "materials" and "结题报告" in early.json["message_zh"]
    for kind in ("closing_report", "activity_summary"):
        file_id = http.as_(SECRETARY, "POST", f"/api/funding/grants/{gid}/attachments",
                           data={"kind": kind, "file": (io.BytesIO(another_pdf()), f"{kind}.pdf")},
                           content_type="multipart/form-data").json["id"]
        assert post(http, SECRETARY, f"/api/funding/grants/{gid}/materials", {"kind": kind, "value": file_id},
                    key=False).json["closing_step"] in ("materials", "review")
    grant = http.as_(ADMIN, "GET", f"/api/funding/grants/{gid}").json
    assert (grant["closing_step"], grant["actions"]) == ("review", ["review_materials"])
    assert post(http, SECRETARY, review, {"decision": "pass"}).status_code == 403
    assert post(http, SECRETARY, f"/api/funding/grants/{gid}/close", {}).status_code == 403
    no_reason = post(http, ADMIN, review, {"decision": "return"})
    assert no_reason.status_code == 422 and no_reason.json["field"] == "reason"
    unreviewed = post(http, ADMIN, f"/api/funding/grants/{gid}/close", {})
    assert unreviewed.status_code == 409 and unreviewed.json["field"] == "materials_review"
    returned = post(http, ADMIN, review, {"decision": "return", "reason": "活动总结请补充照片"}).json
    assert (returned["closing_step"], returned["materials_review"]["reason"]) == ("returned", "活动总结请补充照片")
    assert post(http, ADMIN, f"/api/funding/grants/{gid}/close", {}).status_code == 409
    assert http.as_(SECRETARY, "GET", f"/api/funding/grants/{gid}").json["actions"] == ["file_claim", "upload_materials"]
    again = http.as_(SECRETARY, "POST", f"/api/funding/grants/{gid}/attachments",
                     data={"kind": "activity_summary", "file": (io.BytesIO(another_pdf()), "活动总结（含照片）.pdf")},
                     content_type="multipart/form-data").json["id"]
    resubmitted = post(http, SECRETARY, f"/api/funding/grants/{gid}/materials",
                       {"kind": "activity_summary", "value": again}, key=False).json
    assert (resubmitted["closing_step"], resubmitted["materials_review"]) == ("review", None)
    assert post(http, ADMIN, review, {"decision": "pass"}).json["closing_step"] == "close"
    closed = post(http, ADMIN, f"/api/funding/grants/{gid}/close", {})
    assert closed.status_code == 200 and closed.json["status"] == "closed" and closed.json["returned_fen"] == 70_000
    assert closed.json["closing_step"] == "closed"
