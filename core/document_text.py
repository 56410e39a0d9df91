"""Text as documents (core/excel.py, gateway/documents) can hold it: Excel and Word
are XML, which cannot carry control characters (other than tab, newline and carriage return), lone surrogates or
U+FFFE/U+FFFF. Input is refused at the gateway's boundary (gateway/boundary.py), but
records stored before that rule, or imported, may hold them: a document drops them
rather than fail."""
import functools
import re

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def printable(value):
    """`value` with every string in it (dict keys too, recursively) stripped of what
    XML cannot hold; other values unchanged."""
    if isinstance(value, str):
        return _ILLEGAL.sub("", value)
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(printable(v) for v in value)
    return value


def scrubbed(builder):
    """A document builder whose every argument passes through `printable` first."""

    @functools.wraps(builder)
    def wrapped(*args, **kwargs):
        return builder(*printable(args), **printable(kwargs))

    return wrapped
