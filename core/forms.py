"""Program forms: marshmallow 4 schemas, their bilingual errors and their JSON Schema.

A program's form is a marshmallow schema. `validate_form` turns marshmallow's nested
error dict into the platform's list of field errors with Chinese and English text, and
`form_json_schema` derives the JSON Schema a UI renders the form from.
"""
import re
from decimal import Decimal

from apispec.ext.marshmallow.openapi import OpenAPIConverter
from marshmallow import ValidationError, fields, validate

from core.errors import field_error

# marshmallow's default English messages -> Chinese. Patterns keep their numbers.
_ZH = [
    (r"^Missing data for required field\.$", "必填项缺失"),
    (r"^Field may not be null\.$", "不能为空"),
    (r"^Not a valid string\.$", "不是有效的文本"),
    (r"^Not a valid integer\.$", "不是有效的整数"),
    (r"^Not a valid number\.$", "不是有效的数字"),
    (r"^Not a valid boolean\.$", "不是有效的是/否值"),
    (r"^Not a valid email address\.$", "不是有效的电子邮箱"),
    (r"^Not a valid URL\.$", "不是有效的网址"),
    (r"^Not a valid datetime\.$", "不是有效的日期时间"),
    (r"^Not a valid date\.$", "不是有效的日期"),
    (r"^Invalid input type\.$", "输入类型无效"),
    (r"^Unknown field\.$", "未知字段"),
    (r"^Shorter than minimum length (\d+)\.$", r"长度不能少于 \1 个字符"),
    (r"^Longer than maximum length (\d+)\.$", r"长度不能超过 \1 个字符"),
    (r"^Length must be between (\d+) and (\d+)\.$", r"长度须在 \1 到 \2 个字符之间"),
    (r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$", r"须在 \1 到 \2 之间"),
    (r"^Must be greater than or equal to (\S+)\.$", r"不能小于 \1"),
    (r"^Must be less than or equal to (\S+)\.$", r"不能大于 \1"),
    (r"^Must be greater than (\S+)\.$", r"须大于 \1"),
    (r"^Must be one of: (.+)\.$", r"须为以下之一：\1"),
    (r"^Special numeric values \(nan or infinity\) are not permitted\.$", "不允许特殊数值（NaN 或无穷大）"),
    (r"^Too many digits\.$", "数字位数过多"),
    (r"^At most two decimal places \(no fractions of a fen\)\.$", "最多两位小数（不能有不足一分的金额）"),
    (r"^Not a valid mobile number\.$", "不是有效的手机号码"),
]


def to_chinese(message):
    for pattern, replacement in _ZH:
        if re.match(pattern, message):
            return re.sub(pattern, replacement, message)
    return message


def flatten_errors(messages, prefix=""):
    """marshmallow's {"a": {"b": ["msg"]}} -> [field_error("a.b", en, zh)]."""
    out = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or "form"
            out.extend(flatten_errors(value, name))
    elif isinstance(messages, (list, tuple)):
        for item in messages:
            if isinstance(item, (dict, list, tuple)):
                out.extend(flatten_errors(item, prefix))
            else:
                out.append(field_error(prefix or "form", str(item), to_chinese(str(item))))
    else:
        out.append(field_error(prefix or "form", str(messages), to_chinese(str(messages))))
    return out


def validate_form(schema_cls, data, partial=False):
    """Load `data` with the schema. Returns (cleaned_json, errors).

    `partial=True` is a draft: types, lengths and ranges are checked, required
    fields may be missing. Cleaned data is JSON-ready (dumped back by the schema).
    """
    schema = schema_cls()
    if not isinstance(data, dict):
        return None, [field_error("form", "The form must be an object.", "表单须为对象")]
    try:
        loaded = schema.load(data, partial=partial)
    except ValidationError as exc:
        return None, flatten_errors(exc.messages)
    return schema.dump(loaded), []


def form_json_schema(schema_cls):
    """JSON Schema (draft 2020-12 compatible, OpenAPI 3.1 flavour) of a form schema."""
    converter = OpenAPIConverter(openapi_version="3.1.0", schema_name_resolver=lambda _s: None, spec=None)
    converted = converter.schema2jsonschema(schema_cls())
    converted["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return converted


class Yuan(fields.Decimal):
    """An amount of money in yuan: a number or numeric string with at most two
    decimals (no fractions of a fen), dumped as a string like "1234.50".
    Stored amounts elsewhere are integer fen; this is only the form's view."""

    default_error_messages = {"fen": "At most two decimal places (no fractions of a fen).",
                              "too_large": "Too many digits."}
    MAX_DIGITS = 15  # integer digits: 10^15 yuan in fen still fits MongoDB's int64

    def __init__(self, minimum=0, maximum=None, **kwargs):
        metadata = dict(kwargs.pop("metadata", {}), minimum=minimum)
        if maximum is not None:
            metadata["maximum"] = maximum
        super().__init__(as_string=True, allow_nan=False, validate=validate.Range(min=minimum, max=maximum),
                         metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        number = super()._deserialize(value, attr, data, **kwargs)
        if number.adjusted() >= self.MAX_DIGITS:  # quantize would raise InvalidOperation (e.g. 1e400)
            raise self.make_error("too_large")
        if number.as_tuple().exponent < -2 and number != number.quantize(Decimal("0.01")):
            raise self.make_error("fen")
        return number.quantize(Decimal("0.01"))


def load_or_raise(schema_cls, data, partial=False):
    """Load wire input with a schema or raise ValidationFailed with bilingual field
    errors. Unlike `validate_form` this returns the loaded (not dumped) data."""
    from core.errors import invalid

    if not isinstance(data, dict):
        raise invalid([field_error("body", "The body must be a JSON object.", "请求体须为 JSON 对象")])
    try:
        return schema_cls().load(data, partial=partial)
    except ValidationError as exc:
        raise invalid(flatten_errors(exc.messages)) from None


def decode_upload(data_b64, field="file"):
    """Bytes of an upload sent over RPC as base64; raises ValidationFailed."""
    import base64
    import binascii

    from core.errors import invalid

    try:
        return base64.b64decode(data_b64, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise invalid([field_error(field, "The file content is not valid base64.", "文件内容编码无效")]) from None
