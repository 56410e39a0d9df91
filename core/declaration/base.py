"""The building blocks of the typed declaration: strict marshmallow schemas, a field
that switches schema on a ``kind`` key, and turning marshmallow's nested messages
into the platform's field errors with a path (``criteria.children[2].scale.kind``)."""
import re

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from core.errors import field_error
from core.forms import to_chinese

#: A code a program names something by (snake_case; stored as a document key).
CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: An id in stored documents: no '.', no leading '$'.
KEY = re.compile(r"^[^.$][^.]*$")


def both(en, zh):
    """A message in both languages, for a ValidationError raised in a schema."""
    return f"{en} || {zh}"


class Strict(Schema):
    """Every declaration schema refuses unknown keys, so a typo never silently
    disables a rule."""

    class Meta:
        unknown = RAISE


def code(**kwargs):
    return fields.String(validate=validate.Regexp(CODE, error=both(
        "must be a lower-case code such as pilot_branches", "须为小写英文代码，例如 pilot_branches")), **kwargs)


def key(**kwargs):
    return fields.String(validate=validate.Regexp(KEY, error=both(
        "must be a non-empty string without '.' or a leading '$'", "须为非空字符串，且不含“.”、不以“$”开头")),
        **kwargs)


def text(max_length=200, **kwargs):
    return fields.String(validate=validate.Length(1, max_length), **kwargs)


class Number(fields.Number):
    """An int or float as declared (not coerced from text; bool is not a number)."""

    num_type = float

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise self.make_error("invalid")
        return value


class Whole(fields.Integer):
    """A whole number as declared (true/false and "3" are refused)."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Bool(fields.Boolean):
    """true or false as declared (no "yes", no 1)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class KindSwitch(fields.Field):
    """A dict loaded by the schema its ``kind`` names, e.g. a quota rule."""

    def __init__(self, schemas, what, **kwargs):
        super().__init__(**kwargs)
        self.schemas = schemas
        self.what = what

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ValidationError(both(f"{self.what} must be an object", f"{self.what} 须为对象"))
        kind = value.get("kind")
        if kind not in self.schemas:
            kinds = ", ".join(self.schemas)
            raise ValidationError({"kind": [both(f"{self.what} kind {kind!r} is not one of {kinds}",
                                                 f"{self.what} 类型 {kind!r} 无效，应为 {kinds} 之一")]})
        return self.schemas[kind]().load(value)


def errors_of(messages, prefix=""):
    """marshmallow's {"a": {0: {"b": ["msg"]}}} -> [field_error("a[0].b", en, zh)]."""
    out = []
    if isinstance(messages, dict):
        for k, value in messages.items():
            if k == "_schema":
                name = prefix
            elif isinstance(k, int):
                name = f"{prefix}[{k}]"
            else:
                name = f"{prefix}.{k}" if prefix else str(k)
            out.extend(errors_of(value, name))
    elif isinstance(messages, (list, tuple)):
        for item in messages:
            out.extend(errors_of(item, prefix))
    else:
        en, _, zh = str(messages).partition(" || ")
        out.append(field_error(prefix or "declaration", en, zh or to_chinese(en)))
    return out


def check(schema, data, where):
    """Field errors of `data` under `schema` (an instance), paths starting at `where`."""
    try:
        schema.load(data)
    except ValidationError as exc:
        return errors_of(exc.messages, where)
    return []
