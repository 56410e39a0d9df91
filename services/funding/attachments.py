"""Receipts (报销凭证) and closing materials (结项材料) uploaded to a grant.

The type is recognised from the bytes and must agree with the file name, size and
per-kind counts are limited: the rules every service shares, ``core/uploads.py``
(``check_upload`` and its ``sniff``), not copied. Receipts are PDF/JPG/PNG; materials also Word documents.

Who may upload: receipts the project lead; materials the lead or the faculty
advisor; only while the project is active.
"""
from core.errors import Conflict, InvalidTransition
from core.uploads import check_upload
from services.funding.domain import actors
from services.funding.domain.rules import MATERIAL_KINDS

RECEIPT = {"kind": "receipt", "label_zh": "报销凭证", "label_en": "Receipt",
           "types": ["pdf", "jpg", "png"], "max_count": 500}
MATERIAL_TYPES = ["pdf", "doc", "docx", "jpg", "png"]
MATERIAL_MAX = 5


def declared_kinds(rules):
    """Upload kinds of a grant under ``rules``: receipts plus every material kind whose
    value is an attachment (built in, or declared by the program)."""
    kinds = [RECEIPT]
    material = [{"code": c, **k} for c, k in MATERIAL_KINDS.items()] + list(rules.get("material_kinds") or [])
    for kind in material:
        if kind.get("value", "attachment") == "attachment":
            kinds.append({"kind": kind["code"], "label_zh": kind["name"],
                          "label_en": kind.get("name_en") or kind["code"],
                          "types": MATERIAL_TYPES, "max_count": MATERIAL_MAX})
    return kinds


def check_uploader(grant, actor, kind):
    """Raises PermissionDenied unless `actor` may upload this kind to the grant, and
    InvalidTransition once the project is closed."""
    if kind == "receipt":
        actors.require_any(actor, grant, ("lead",), "upload receipts", "上传报销凭证")
    else:
        actors.require_any(actor, grant, ("lead", "advisor"), "upload closing materials", "上传结项材料")
    if grant["status"] != "active":
        raise InvalidTransition(f"project {grant['project_id']} is closed; nothing can be uploaded",
                                f"项目 {grant['project_id']} 已结项，不能再上传附件", field="grant_id")


def check(rules, grant, actor, kind, filename, data, max_bytes, existing):
    """Validate one upload; returns its metadata (see check_upload). Raises
    PermissionDenied, InvalidTransition (closed project), ValidationFailed,
    PayloadTooLarge, UnsupportedMediaType."""
    check_uploader(grant, actor, kind)
    kinds = declared_kinds(rules)
    meta = check_upload(kinds, kind, filename, data, max_bytes, existing)
    spec = next(k for k in kinds if k["kind"] == kind)
    return meta, spec


def full(spec):
    return Conflict(f"At most {spec['max_count']} file(s) of kind {spec['label_en']}, or the project is closed.",
                    f"{spec['label_zh']}数量已达上限，或项目已结项", field="kind")
