"""Through the real gateway: the OpenAPI document, Idempotency-Key, role rules, and bad
input that gets a clear 4xx and changes nothing."""
import io
import uuid

import pytest

from tests.integration.helpers import PDF, another_pdf

from .conftest import LEAD, approved_application, new_campaign

ADMIN, FINANCE, SECRETARY, OTHER_SECRETARY = "admin", "finance", "2023010101", "2023020101"
COUNSELOR_ME, COUNSELOR_EM, ADVISOR, STUDENT = "counselor_me", "counselor_em", "teacher_me", "2023010102"


def key():
    return {"Idempotency-Key": uuid.uuid4().hex}


def post(http, who, url, body, headers=None):
    return http.as_(who, "POST", url, json=body, headers=headers if headers is not None else key())


def upload(http, who, grant_id, kind="receipt", name="发票.pdf", data=None):
    """Each call a different file unless `data` is given (the same bytes again are a retry)."""
    return http.as_(who, "POST", f"/api/funding/grants/{grant_id}/attachments",
                    data={"kind": kind, "file": (io.BytesIO(data or another_pdf()), name)},
                    content_type="multipart/form-data")


@pytest.fixture
def setup(rpc, http):
    campaign = new_campaign(rpc)
    app = approved_application(rpc, campaign["id"], LEAD)
    return campaign["id"], app["id"]


def _state(mongo):
    db = mongo("funding")
    return {name: sorted(map(str, (d for d in db[name].find({}, {"_id": 1, "_rev": 1}))))
            for name in ("campaigns", "grants", "claims", "ledger", "outbox", "requests")}


def test_http_flow_idempotency_and_roles(http, setup, mongo):
    cid, app_id = setup
    spec = http.client.get("/api/openapi.json").json
    for path in ("/api/funding/campaigns", "/api/funding/campaigns/{campaign_id}/grants",
                 "/api/funding/grants/{grant_id}/claims", "/api/funding/claims/{claim_id}/actions",
                 "/api/funding/campaigns/{campaign_id}/report", "/api/funding/campaigns/{campaign_id}/tiers",
                 "/api/funding/approvals", "/api/funding/grants/{grant_id}/close"):
        assert path in spec["paths"], path
    params = spec["paths"]["/api/funding/grants/{grant_id}/claims"]["post"]["parameters"]
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in params)

    opened = post(http, ADMIN, "/api/funding/campaigns", {"campaign_id": cid, "budget_fen": 1_000_000})
    assert opened.status_code == 201, opened.json
    lead_view = http.as_(SECRETARY, "GET", f"/api/funding/campaigns/{cid}").json
    assert "budget_fen" not in lead_view and "available_fen" not in lead_view and lead_view["tiers"]
    assert http.as_(FINANCE, "GET", f"/api/funding/campaigns/{cid}").json["budget_fen"] == 1_000_000
    tiers = http.as_(SECRETARY, "GET", f"/api/funding/campaigns/{cid}/tiers").json
    assert [(t["code"], t["cap"]) for t in tiers] == [("key", "¥5,000.00"), ("featured", "¥3,000.00"),
                                                      ("general", "¥1,000.00")]
    award_key = key()
    body = {"application_id": app_id, "tier": "featured", "amount_yuan": "2500.50", "advisor_id": "p_teacher_me"}
    grant = post(http, ADMIN, f"/api/funding/campaigns/{cid}/grants", body, award_key)
    assert grant.status_code == 201 and grant.json["granted_fen"] == 250_050, grant.json
    again = post(http, ADMIN, f"/api/funding/campaigns/{cid}/grants", body, award_key)
    assert again.json == grant.json
    reused = post(http, ADMIN, f"/api/funding/campaigns/{cid}/grants", dict(body, amount_yuan="100"), award_key)
    assert reused.status_code == 409 and reused.json["field"] == "Idempotency-Key"
    gid = grant.json["id"]

    # Who sees the grant: lead, advisor, college, finance; not another student or college.
    for who in (SECRETARY, ADVISOR, COUNSELOR_ME, FINANCE, ADMIN):
        assert http.as_(who, "GET", f"/api/funding/grants/{gid}").status_code == 200, who
    for who in (STUDENT, COUNSELOR_EM, OTHER_SECRETARY):
        assert http.as_(who, "GET", f"/api/funding/grants/{gid}").status_code == 404, who
    assert [g["id"] for g in http.as_(SECRETARY, "GET", "/api/funding/grants").json] == [gid]
    assert http.as_(OTHER_SECRETARY, "GET", "/api/funding/grants").json == []

    receipt = upload(http, SECRETARY, gid, data=PDF)
    assert receipt.status_code == 201 and receipt.json["type"] == "pdf"
    claim_key = key()
    claim = {"items": [{"description": "横幅印刷", "amount_fen": 12_000}], "receipts": [receipt.json["id"]],
             "purpose": "主题党日"}
    filed = post(http, SECRETARY, f"/api/funding/grants/{gid}/claims", claim, claim_key)
    assert filed.status_code == 201 and filed.json["total_fen"] == 12_000
    assert post(http, SECRETARY, f"/api/funding/grants/{gid}/claims", claim, claim_key).json["id"] == filed.json["id"]
    assert mongo("funding").claims.count_documents({"grant_id": gid}) == 1
    claim_id = filed.json["id"]
    assert [c["id"] for c in http.as_(ADVISOR, "GET", "/api/funding/approvals").json] == [claim_id]
    assert http.as_(COUNSELOR_ME, "GET", "/api/funding/approvals").json == []     # not their step yet
    assert post(http, ADVISOR, f"/api/funding/claims/{claim_id}/actions", {"action": "approve"}).status_code == 200
    assert post(http, COUNSELOR_ME, f"/api/funding/claims/{claim_id}/actions",
                {"action": "approve"}).json["status"] == "college_approved"
    fin = post(http, FINANCE, f"/api/funding/claims/{claim_id}/actions", {"action": "approve"})
    assert fin.json["status"] == "finance_approved" and fin.json["actions"] == ["pay"]
    assert post(http, FINANCE, f"/api/funding/claims/{claim_id}/actions",
                {"action": "pay", "payment_reference": "记-2025-001"}).json["status"] == "paid"
    ledger = http.as_(SECRETARY, "GET", f"/api/funding/grants/{gid}/ledger").json
    assert [e["kind"] for e in ledger] == ["grant_awarded", "claim_reserved", "claim_approved", "claim_paid"]
    projects = http.as_(SECRETARY, "GET", f"/api/funding/campaigns/{cid}/report/projects").json
    assert [(p["granted_fen"], p["paid_fen"], p["remaining_fen"]) for p in projects] == [(250_050, 12_000, 238_050)]
    assert http.as_(SECRETARY, "GET", f"/api/funding/campaigns/{cid}/report").status_code == 403
    report = http.as_(FINANCE, "GET", f"/api/funding/campaigns/{cid}/report").json
    assert (report["paid_fen"], report["available_fen"], report["display"]["paid"]) == (12_000, 749_950, "¥120.00")
    download = http.as_(FINANCE, "GET", f"/api/funding/grants/{gid}/attachments/{receipt.json['id']}")
    assert download.status_code == 200 and download.data == PDF
    # the receipt's bytes live in the file store; the funding database keeps the reference
    stored = mongo("funding").attachments.find_one({"_id": receipt.json["id"]})
    assert "data" not in stored and mongo("files")["uploads.files"].find_one({"_id": stored["file_id"]})


def test_bad_input_gets_a_clear_4xx_and_changes_nothing(http, setup, mongo):
    cid, app_id = setup
    url = "/api/funding/campaigns"
    bad_opens = [
        ({"campaign_id": cid, "budget_fen": -100}, 422, "budget_fen", "负数"),
        ({"campaign_id": cid, "budget_fen": 1.5}, 422, "budget_fen", "整数"),
        ({"campaign_id": cid, "budget_yuan": "100.005"}, 422, "budget_yuan", "两位小数"),
        ({"campaign_id": cid}, 422, "budget_fen", "其中之一"),
        ({"budget_fen": 100}, 422, "campaign_id", "必填"),
        ({"campaign_id": "cmp_nope", "budget_fen": 100}, 404, "campaign_id", "不存在"),
        ({"campaign_id": cid, "budget_fen": 100, "deadlines": {"closing_deadline": "明天"}}, 422,
         "deadlines.closing_deadline", "时区"),
    ]
    before = _state(mongo)
    for body, status, field, zh in bad_opens:
        response = post(http, ADMIN, url, body)
        assert response.status_code == status, (body, response.json)
        assert response.json["field"] == field and zh in response.json["message_zh"], (body, response.json)
    no_key = post(http, ADMIN, url, {"campaign_id": cid, "budget_fen": 100}, headers={})
    assert no_key.status_code == 422 and no_key.json["field"] == "Idempotency-Key"
    assert post(http, SECRETARY, url, {"campaign_id": cid, "budget_fen": 100}).status_code == 403
    assert _state(mongo) == before

    assert post(http, ADMIN, url, {"campaign_id": cid, "budget_yuan": "6000"}).status_code == 201
    awards = f"/api/funding/campaigns/{cid}/grants"
    good = {"application_id": app_id, "tier": "key", "amount_yuan": "5000", "advisor_id": "p_teacher_me"}
    bad_awards = [
        (dict(good, tier="platinum"), 422, "tier", "未知的资助等级"),
        (dict(good, amount_yuan="-5"), 422, "amount_yuan", "负数"),
        (dict(good, amount_yuan="0.001"), 422, "amount_yuan", "两位小数"),
        (dict(good, amount_yuan="5000.01"), 409, "amount_fen", "上限 ¥5,000.00"),
        ({k: v for k, v in good.items() if k != "advisor_id"}, 422, "advisor_id", "必填"),
        (dict(good, advisor_id="p_nobody"), 422, "advisor_id", "不存在"),
        (dict(good, advisor_id="p_2023010101"), 422, "advisor_id", "负责人"),
        (dict(good, advisor_id="p_2023010102"), 422, "advisor_id", "不是指导教师"),   # a student
        (dict(good, application_id="app_nope"), 404, "application_id", "不存在"),
        (dict(good, extra=1), 422, "extra", "未知字段"),
    ]
    before = _state(mongo)
    for body, status, field, zh in bad_awards:
        response = post(http, ADMIN, awards, body)
        assert response.status_code == status, (body, response.json)
        assert response.json["field"] == field and zh in response.json["message_zh"], (body, response.json)
    assert post(http, SECRETARY, awards, good).status_code == 403
    assert _state(mongo) == before
    over = post(http, ADMIN, awards, dict(good, amount_yuan="5000"))
    assert over.status_code == 201
    gid = over.json["id"]

    receipt = upload(http, SECRETARY, gid).json["id"]
    claims = f"/api/funding/grants/{gid}/claims"
    item = {"description": "印刷", "amount_yuan": "10"}
    good_claim = {"items": [item], "receipts": [receipt], "purpose": "主题党日"}
    bad_claims = [
        (dict(good_claim, items=[dict(item, amount_yuan="-10")]), 422, "items[0].amount_yuan", "负数"),
        (dict(good_claim, items=[dict(item, amount_yuan="10.001")]), 422, "items[0].amount_yuan", "两位小数"),
        (dict(good_claim, items=[{"description": "印刷", "amount_fen": 99.5}]), 422, "items[0].amount_fen", "整数"),
        (dict(good_claim, items=[]), 422, "items", "至少"),
        ({"items": [item], "receipts": [receipt]}, 422, "purpose", "必填"),
        (dict(good_claim, receipts=[]), 422, "receipts", "凭证"),
        (dict(good_claim, receipts=["fatt_forged"]), 422, "receipts", "不是本项目的报销凭证"),
        (dict(good_claim, items=[dict(item, amount_yuan="5000.01")]), 409, "items", "¥5,000.00"),
    ]
    before = _state(mongo)
    for body, status, field, zh in bad_claims:
        response = post(http, SECRETARY, claims, body)
        assert response.status_code == status, (body, response.json)
        assert response.json["field"] == field and zh in response.json["message_zh"], (body, response.json)
    assert post(http, ADVISOR, claims, good_claim).status_code == 403          # only the lead files
    assert post(http, STUDENT, claims, good_claim).status_code == 404          # does not see it
    assert post(http, SECRETARY, claims, good_claim, headers={}).status_code == 422
    assert upload(http, SECRETARY, gid, name="fake.pdf", data=b"MZ\x90 not a pdf").status_code == 415
    assert upload(http, SECRETARY, gid, name="big.pdf", data=PDF + b"0" * 200_001).status_code == 413
    assert upload(http, SECRETARY, gid, kind="selfie").status_code == 422
    after = _state(mongo)
    assert {k: v for k, v in after.items()} == before

    # A claim on a closed project: 409, nothing booked.
    for kind in ("closing_report", "work_case"):
        file_id = upload(http, SECRETARY, gid, kind=kind).json["id"]
        assert post(http, SECRETARY, f"/api/funding/grants/{gid}/materials",
                    {"kind": kind, "value": file_id}, headers={}).status_code == 200
    bad_link = post(http, SECRETARY, f"/api/funding/grants/{gid}/materials",
                    {"kind": "article_link", "value": "javascript:alert(1)"}, headers={})
    assert bad_link.status_code == 422 and bad_link.json["field"] == "value"
    assert post(http, SECRETARY, f"/api/funding/grants/{gid}/materials",
                {"kind": "article_link", "value": "https://mp.weixin.qq.com/s/x"}, headers={}).status_code == 200
    assert post(http, SECRETARY, f"/api/funding/grants/{gid}/close", {}).status_code == 403
    assert post(http, COUNSELOR_ME, f"/api/funding/grants/{gid}/materials/review", {"decision": "pass"}).status_code == 200
    closed = post(http, COUNSELOR_ME, f"/api/funding/grants/{gid}/close", {"reason": "结项"})
    assert closed.status_code == 200 and closed.json["returned_fen"] == 500_000
    before = _state(mongo)
    late = post(http, SECRETARY, claims, good_claim)
    assert late.status_code == 409 and late.json["code"] == "invalid_transition" and "已结项" in late.json["message_zh"]
    assert upload(http, SECRETARY, gid).status_code == 409
    assert _state(mongo) == before
    camp = http.as_(FINANCE, "GET", f"/api/funding/campaigns/{cid}").json
    assert (camp["granted_fen"], camp["returned_fen"], camp["available_fen"]) == (500_000, 500_000, 600_000)


def test_a_phone_photo_of_a_receipt_too_large_is_shrunk_not_refused(http, funded):
    """Receipts are often phone photos: one over the size limit (200 KB in the tests) is
    re-encoded by the gateway to a JPEG that fits, and the claim can name it."""
    import random

    from PIL import Image
    _campaign, grant = funded
    rng, side = random.Random(11), 1400
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3)).save(out, "JPEG", quality=80)
    photo = out.getvalue()
    assert 200_000 < len(photo) < 1_600_000
    stored = upload(http, SECRETARY, grant["id"], name="IMG_2031.JPG", data=photo)
    assert stored.status_code == 201, stored.json
    assert stored.json["filename"] == "IMG_2031.jpg" and stored.json["size"] <= 200_000
    data = http.as_(FINANCE, "GET", f"/api/funding/grants/{grant['id']}/attachments/{stored.json['id']}").data
    assert Image.open(io.BytesIO(data)).format == "JPEG"
