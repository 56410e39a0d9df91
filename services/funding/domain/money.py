"""Money: integer fen (分) inside, yuan (元) at the edges.

Guarantees:

- Every amount the domain stores or compares is a Python ``int`` of fen. Parsing uses
  ``Decimal`` from the text of the input; no float arithmetic ever touches an amount.
- A float input is read through its shortest ``repr`` (``1234.5`` → ``"1234.5"``), so
  a float that is not exactly a whole number of fen in decimal (``0.1 + 0.2``) is
  refused, never rounded.
- Refused, with a ValidationFailed naming the field: bool, None, non-numbers, NaN,
  infinities, exponent notation, negatives, zero (unless ``allow_zero``), fractional
  fen, and anything above :data:`MAX_FEN`.
"""
import re
from decimal import Decimal, InvalidOperation

from core.errors import BudgetExceeded, field_error, invalid

#: Largest amount accepted anywhere: 1,000,000,000 yuan. A budget or a claim above
#: this is a typo or an attack, never a real student project.
MAX_FEN = 100_000_000_000

_YUAN_TEXT = re.compile(r"^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?$")
_MAX_TEXT = 32


def _refuse(field, en, zh):
    return invalid([field_error(field, en, zh)])


def _check_range(fen, field, allow_zero):
    if fen < 0:
        raise _refuse(field, "must not be negative", "金额不能为负数")
    if fen == 0 and not allow_zero:
        raise _refuse(field, "must be greater than zero", "金额必须大于零")
    if fen > MAX_FEN:
        raise _refuse(field, f"must be at most {format_fen(MAX_FEN)}",
                      f"金额不能超过 {format_fen(MAX_FEN)}")
    return fen


def parse_fen(value, field="amount_fen", allow_zero=False):
    """An amount given in fen: must be an ``int`` (not bool, not float, not text)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _refuse(field, "must be a whole number of fen (integer)",
                      "必须是以分为单位的整数")
    return _check_range(value, field, allow_zero)


def parse_yuan(value, field="amount_yuan", allow_zero=False):
    """An amount given in yuan → int fen: ``"1234.5"`` → 123450, ``1000`` → 100000.

    Accepts a decimal string (optional leading ``¥``/``￥``, optional correct thousands
    commas ``"1,234.50"``), an int, a float or a Decimal. At most two decimals of value
    (``"1.50"`` and ``"1.500"`` are 150 fen; ``"1.505"`` is refused as fractional fen).
    """
    if isinstance(value, bool) or value is None:
        raise _refuse(field, "must be an amount in yuan", "必须是以元为单位的金额")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = _decimal_from_text(repr(value), field)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise _refuse(field, "must be a finite number", "必须是有限的数字")
        amount = value
    elif isinstance(value, str):
        amount = _decimal_from_text(value, field)
    else:
        raise _refuse(field, "must be an amount in yuan", "必须是以元为单位的金额")
    if amount < 0:
        raise _refuse(field, "must not be negative", "金额不能为负数")
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise _refuse(field, "has more than 2 decimals (fractions of a fen)",
                      "金额最多保留两位小数（不能出现不足一分的金额）")
    if fen > MAX_FEN:
        raise _refuse(field, f"must be at most {format_fen(MAX_FEN)}",
                      f"金额不能超过 {format_fen(MAX_FEN)}")
    return _check_range(int(fen), field, allow_zero)


def _decimal_from_text(text, field):
    text = text.strip()
    if text[:1] in ("¥", "￥"):
        text = text[1:].strip()
    if text.startswith("-"):
        rest = text[1:]
        if _YUAN_TEXT.match(rest) and Decimal(rest.replace(",", "")) != 0:
            raise _refuse(field, "must not be negative", "金额不能为负数")
        text = rest
    if len(text) > _MAX_TEXT or not _YUAN_TEXT.match(text):
        raise _refuse(field, "must be a decimal number of yuan such as 1234.50",
                      "必须是以元为单位的数字，例如 1234.50")
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the regex already ruled it out
        raise _refuse(field, "must be a decimal number of yuan", "必须是以元为单位的数字")


def parse_amount(data, name="amount", allow_zero=False):
    """Read ``<name>_fen`` (int) or ``<name>_yuan`` (decimal) from a dict; exactly one.

    Two explicit keys, because a bare ``1000`` could mean 1000 fen or 1000 yuan.
    """
    fen_key, yuan_key = f"{name}_fen", f"{name}_yuan"
    has_fen, has_yuan = data.get(fen_key) is not None, data.get(yuan_key) is not None
    if has_fen == has_yuan:
        raise _refuse(fen_key, f"give exactly one of {fen_key} or {yuan_key}",
                      f"请只填写 {fen_key}（分）或 {yuan_key}（元）其中之一")
    if has_fen:
        return parse_fen(data[fen_key], fen_key, allow_zero)
    return parse_yuan(data[yuan_key], yuan_key, allow_zero)


def yuan_text(fen):
    """Plain yuan text with two decimals, no symbol or commas: 123450 → ``"1234.50"``."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole}.{cents:02d}"


def format_fen(fen):
    """Display form: 123450 → ``"¥1,234.50"``; -5 → ``"-¥0.05"``."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def budget_exceeded(remaining_fen, what_en, what_zh, remaining_en="remaining",
                    remaining_zh="剩余可报销金额", field=None, **details):
    """BudgetExceeded whose message states the remaining amount in yuan.

    ``details`` always carries ``remaining_fen`` (int) plus any extra keys given.
    """
    shown = format_fen(max(remaining_fen, 0))
    return BudgetExceeded(
        f"{what_en}; {remaining_en} {shown}",
        f"{what_zh}；{remaining_zh} {shown}",
        field=field,
        details={"remaining_fen": max(remaining_fen, 0), **details},
    )
