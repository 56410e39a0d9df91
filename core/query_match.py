"""Whether a document meets a query, checked in the process as the server would.

A store reads a few documents by one condition its index serves (a person's 学号, an
applicant's id) and checks the rest of the query here, instead of sending the whole
query: beside a broad equality (the school, the campaign) nx-27017 takes the broad
field's index and looks at every document under it.

Guarantees (`matches`): the answer MongoDB gives for the query forms below, and
`Unsupported` for any other, so a caller can ask the server instead of guessing:

  * ``{field: value}`` (value not a dict): equal, or an array holding it; ``None``
    also meets a missing field;
  * ``{field: {"$in" | "$gt" | "$gte" | "$lt" | "$lte": ...}}``: a range is
    met only by a value of the bound's kind (numbers, text, datetimes; text in binary
    order, as the servers compare it without a collation), never by a missing one;
    an array meets a condition when one of its elements does;
  * ``{"$and": [...]}``, ``{"$or": [...]}``, and several fields at once (all of them).

Fields are top-level names (no dotted paths); booleans equal only booleans.
"""
from datetime import datetime
from numbers import Number

_MISSING = object()


class Unsupported(ValueError):
    """The query holds a form `matches` does not check; ask the server instead."""


def matches(doc, query):
    """Whether `doc` (a dict) meets `query` (see the module docstring)."""
    for key, condition in query.items():
        if key == "$and":
            if not all(matches(doc, part) for part in _parts(condition)):
                return False
        elif key == "$or":
            if not any(matches(doc, part) for part in _parts(condition)):
                return False
        elif key.startswith("$") or "." in key:
            raise Unsupported(key)
        elif not _field_meets(doc.get(key, _MISSING), condition):
            return False
    return True


def _parts(condition):
    if not isinstance(condition, list) or not condition:
        raise Unsupported("$and / $or takes a non-empty list")
    return condition


def _field_meets(value, condition):
    if not isinstance(condition, dict):
        return _holds(value, lambda v: _equal(v, condition))
    if not condition or not all(op.startswith("$") for op in condition):
        raise Unsupported("equality with a document")
    return all(_op_meets(value, op, operand) for op, operand in condition.items())


def _op_meets(value, op, operand):
    if op == "$in":
        if not isinstance(operand, (list, tuple)) or any(isinstance(o, dict) for o in operand):
            raise Unsupported("$in takes a list of values")
        return any(_holds(value, lambda v, o=o: _equal(v, o)) for o in operand)
    compare = _RANGES.get(op)
    if compare is None:
        raise Unsupported(op)
    kind = _kind(operand)
    if kind is None:
        raise Unsupported(f"{op} with a bound of type {type(operand).__name__}")
    if value is _MISSING:
        return False
    try:
        return _any_element(value, lambda v: _kind(v) == kind and compare(v, operand))
    except TypeError:                   # a datetime with a zone against one without
        raise Unsupported(f"{op} across naive and aware datetimes") from None


_RANGES = {"$gt": lambda a, b: a > b, "$gte": lambda a, b: a >= b,
           "$lt": lambda a, b: a < b, "$lte": lambda a, b: a <= b}


def _kind(x):
    """The comparison bracket of a value: MongoDB compares across types by type
    order, so a range of one kind never meets a value of another."""
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, Number):
        return "number"
    if isinstance(x, str):
        return "text"
    if isinstance(x, datetime):
        return "date"
    return None


def _equal(value, wanted):
    if value is _MISSING:
        return wanted is None
    if isinstance(value, bool) or isinstance(wanted, bool):
        return isinstance(value, bool) and isinstance(wanted, bool) and value == wanted
    return value == wanted


def _holds(value, test):
    """An equality's test on the value, or on the array and each of its elements."""
    if test(value):
        return True
    return isinstance(value, list) and any(test(v) for v in value)


def _any_element(value, test):
    """A range's test on the value, or on each element of an array."""
    if isinstance(value, list):
        return any(test(v) for v in value)
    return test(value)
