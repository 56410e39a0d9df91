"""What a reimbursement claim (报销申请) must contain, validated before any money moves.

Guarantee: :func:`validate_claim_input` reports every problem at once (fields such
as ``items[1].amount_yuan``, in Chinese and English) and returns amounts as int fen
with ``total_fen`` = the sum of the items.
"""
from core.errors import ValidationFailed, field_error, invalid

from .ids import is_ref_id
from .money import MAX_FEN, format_fen, parse_amount
from .rules import category_codes

MAX_ITEMS, MAX_RECEIPTS, MAX_TEXT, MAX_REASON = 100, 50, 200, 500


def validate_claim_input(rules, request):
    """``{"items", "receipts", "purpose"}`` → normalised copy plus ``total_fen``.

    Items: 1-100, each with a description (1-200 chars), ``amount_fen`` (int > 0) or
    ``amount_yuan``, and a ``category`` that must be one of the rules' categories
    when the program has categories (and absent otherwise). Receipts: 1-50 distinct
    attachment ids. Purpose: 1-200 chars. Every problem is reported at once.
    """
    errors = []
    if not isinstance(request, dict):
        raise invalid([field_error("claim", "must be an object", "必须是对象")])
    codes = category_codes(rules)
    items = request.get("items")
    out_items = []
    if not isinstance(items, list) or not items:
        errors.append(field_error("items", "at least one item is required", "至少需要一项报销明细"))
        items = []
    elif len(items) > MAX_ITEMS:
        errors.append(field_error("items", f"at most {MAX_ITEMS} items", f"报销明细最多 {MAX_ITEMS} 项"))
        items = []
    for i, item in enumerate(items):
        at = f"items[{i}]"
        if not isinstance(item, dict):
            errors.append(field_error(at, "must be an object", "必须是对象"))
            continue
        desc = item.get("description")
        if not isinstance(desc, str) or not desc.strip() or len(desc) > MAX_TEXT:
            errors.append(field_error(f"{at}.description", f"must be 1-{MAX_TEXT} characters",
                                      f"说明必须为 1-{MAX_TEXT} 个字符"))
        category = item.get("category")
        if codes:
            if category not in codes:
                errors.append(field_error(
                    f"{at}.category", f"must be one of: {', '.join(codes)}",
                    f"支出类别必须是以下之一：{'、'.join(codes)}"))
        elif category is not None:
            errors.append(field_error(f"{at}.category", "this program has no spending categories",
                                      "该项目类型不设支出类别"))
        try:
            amount = parse_amount(item, "amount")
        except ValidationFailed as exc:  # re-home its field under the item
            errors.extend({**e, "field": f"{at}.{e['field']}"} for e in exc.details)
            amount = None
        out_items.append({"description": desc.strip() if isinstance(desc, str) else desc,
                          "category": category, "amount_fen": amount})
    receipts = request.get("receipts")
    if not isinstance(receipts, list) or not receipts:
        errors.append(field_error("receipts", "at least one receipt attachment is required",
                                  "至少需要上传一张报销凭证"))
        receipts = []
    elif len(receipts) > MAX_RECEIPTS or not all(is_ref_id(r) for r in receipts):
        errors.append(field_error("receipts", f"must be 1-{MAX_RECEIPTS} attachment ids",
                                  f"报销凭证必须是 1-{MAX_RECEIPTS} 个附件编号"))
    elif len(set(receipts)) != len(receipts):
        errors.append(field_error("receipts", "lists an attachment twice", "报销凭证重复"))
    purpose = request.get("purpose")
    if not isinstance(purpose, str) or not purpose.strip() or len(purpose) > MAX_TEXT:
        errors.append(field_error("purpose", f"must be 1-{MAX_TEXT} characters",
                                  f"报销事由必须为 1-{MAX_TEXT} 个字符"))
    if not errors:
        total = sum(i["amount_fen"] for i in out_items)
        if total > MAX_FEN:
            errors.append(field_error("items", f"total must be at most {format_fen(MAX_FEN)}",
                                      f"报销总额不能超过 {format_fen(MAX_FEN)}"))
    if errors:
        raise invalid(errors)
    return {"items": out_items, "receipts": list(receipts), "purpose": purpose.strip(),
            "total_fen": total}


def check_reason(reason, required):
    """A stripped reason (≤ 500 chars); ValidationFailed if required and blank."""
    if reason is None or (isinstance(reason, str) and not reason.strip()):
        if required:
            raise invalid([field_error("reason", "a reason is required", "请填写原因")])
        return None
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        raise invalid([field_error("reason", f"must be at most {MAX_REASON} characters",
                                   f"原因不能超过 {MAX_REASON} 个字符")])
    return reason.strip()


MAX_REFERENCE = 64


def check_payment_reference(reference):
    """The payment reference (付款凭证号) finance records when paying: 1-64 characters
    after stripping; ValidationFailed naming ``payment_reference`` otherwise."""
    if not isinstance(reference, str) or not reference.strip():
        raise invalid([field_error("payment_reference", "the payment reference (voucher number) is required",
                                   "请填写付款凭证号")])
    reference = reference.strip()
    if len(reference) > MAX_REFERENCE:
        raise invalid([field_error("payment_reference", f"must be at most {MAX_REFERENCE} characters",
                                   f"付款凭证号不能超过 {MAX_REFERENCE} 个字符")])
    return reference
