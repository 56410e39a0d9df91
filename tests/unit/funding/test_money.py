"""Money: int fen inside, yuan at the edges; never float arithmetic."""
from decimal import Decimal

import pytest

from core.errors import BudgetExceeded, ValidationFailed
from services.funding.domain.money import (MAX_FEN, budget_exceeded, format_fen, parse_amount,
                                           parse_fen, parse_yuan, yuan_text)


@pytest.mark.parametrize("text, fen", [
    ("1234.5", 123450), ("1234.50", 123450), ("1,234.50", 123450), ("¥12", 1200),
    ("￥ 0.01", 1), (" 5000 ", 500000), ("1.500", 150), (1000, 100000), (0.1, 10),
    (1234.5, 123450), (Decimal("2.50"), 250), ("1,000,000", 100000000),
])
def test_parse_yuan_accepts_decimal_yuan(text, fen):
    assert parse_yuan(text) == fen
    assert type(parse_yuan(text)) is int


@pytest.mark.parametrize("bad, reason", [
    ("-5", "negative"), (-1, "negative"), (Decimal("-0.01"), "negative"),
    ("12.345", "2 decimals"), (0.1 + 0.2, "2 decimals"), (Decimal("0.001"), "2 decimals"),
    ("NaN", "decimal number"), (float("nan"), "decimal number"), (float("inf"), "decimal number"),
    (Decimal("NaN"), "finite"), (Decimal("Infinity"), "finite"),
    (True, "amount in yuan"), (None, "amount in yuan"), ([1], "amount in yuan"),
    ("1e3", "decimal number"), ("12,34", "decimal number"), ("", "decimal number"),
    ("abc", "decimal number"), ("1" * 40, "decimal number"),
    ("0", "greater than zero"), (0, "greater than zero"),
    ("1000000001", "at most"), (10 ** 30, "at most"),
])
def test_parse_yuan_refuses(bad, reason):
    with pytest.raises(ValidationFailed) as err:
        parse_yuan(bad, field="items[0].amount_yuan")
    assert reason in err.value.message_en
    assert err.value.field == "items[0].amount_yuan"
    assert err.value.message_zh != err.value.message_en  # a Chinese message too


def test_zero_only_where_allowed():
    assert parse_yuan("0", allow_zero=True) == 0
    assert parse_fen(0, allow_zero=True) == 0
    with pytest.raises(ValidationFailed):
        parse_fen(0)


@pytest.mark.parametrize("bad", [1.5, 100.0, "123", True, None, -1, MAX_FEN + 1])
def test_parse_fen_wants_a_plain_int(bad):
    with pytest.raises(ValidationFailed):
        parse_fen(bad)


def test_parse_fen_upper_bound_inclusive():
    assert parse_fen(MAX_FEN) == MAX_FEN


def test_parse_amount_needs_exactly_one_unit():
    assert parse_amount({"amount_fen": 123}) == 123
    assert parse_amount({"amount_yuan": "1.23"}) == 123
    for bad in ({}, {"amount_fen": 1, "amount_yuan": "1"}):
        with pytest.raises(ValidationFailed) as err:
            parse_amount(bad)
        assert "exactly one" in err.value.message_en
    with pytest.raises(ValidationFailed) as err:
        parse_amount({"amount_yuan": "1.001"})
    assert err.value.field == "amount_yuan"


@pytest.mark.parametrize("fen, shown, plain", [
    (123450, "¥1,234.50", "1234.50"), (5, "¥0.05", "0.05"), (0, "¥0.00", "0.00"),
    (-5, "-¥0.05", "-0.05"), (100000000, "¥1,000,000.00", "1000000.00"),
])
def test_format(fen, shown, plain):
    assert format_fen(fen) == shown
    assert yuan_text(fen) == plain


def test_round_trip_of_formatted_amounts():
    for fen in (1, 99, 100, 123456789):
        assert parse_yuan(format_fen(fen)) == fen


def test_budget_exceeded_states_remaining_in_both_languages():
    err = budget_exceeded(123450, "claim too large", "报销金额超出")
    assert isinstance(err, BudgetExceeded)
    assert "remaining ¥1,234.50" in err.message_en
    assert "剩余可报销金额 ¥1,234.50" in err.message_zh
    assert err.details == {"remaining_fen": 123450}
    assert err.to_dict()["code"] == "budget_exceeded"
