"""The public event contract: payload schemas from ``docs/asyncapi.yaml``, and a validator.

    contract = load()                              # parsed once per path, cached
    errors = validate(envelope)                    # [] when the envelope conforms
    check(envelope)                                # raises ValidationFailed listing the errors
    contract.channels()                            # [{"event_type", "exchange", "routing_key", "versions"}]

The validator implements the JSON Schema subset the contract uses (draft-07 keywords):
``type`` (one or a list; "integer" excludes booleans and floats), ``properties``,
``required``, ``additionalProperties`` (bool or schema), ``items``, ``enum``, ``const``,
``minimum``, ``maximum``, ``minLength``, ``maxLength``, ``minItems``, ``maxItems``,
``pattern``, ``format: date-time``, ``$ref`` (local ``#/...``), ``allOf``, ``anyOf``,
``oneOf``. Unknown keywords are ignored (descriptions, examples). Should the contract
need more, install ``jsonschema`` and swap ``validate_schema``.
"""
import os
import re
from datetime import datetime
from pathlib import Path

import yaml

from core.errors import ValidationFailed

DEFAULT_PATH = Path(__file__).resolve().parents[3] / "docs" / "asyncapi.yaml"
ENV_PATH = "CHUANGXIAN_ASYNCAPI"
_CACHE = {}


class Contract:
    def __init__(self, document):
        self.document = document
        self._schemas = {}          # (event_type, version) -> payload schema
        self._exchanges = {}        # event_type -> exchange name
        for name, channel in (document.get("channels") or {}).items():
            amqp = (channel.get("bindings") or {}).get("amqp") or {}
            exchange = (amqp.get("exchange") or {}).get("name")
            operation = channel.get("subscribe") or channel.get("publish") or {}
            message = operation.get("message") or {}
            messages = message.get("oneOf", [message])
            for item in messages:
                item = self.resolve(item)
                payload = self.resolve(item["payload"])
                event_type = _const(self, payload, "type")
                version = _const(self, payload, "version")
                if event_type != name:
                    raise ValueError(f"asyncapi: channel {name} carries a message of type {event_type}")
                if version is None:
                    raise ValueError(f"asyncapi: message of {name} has no version const")
                self._schemas[(event_type, version)] = payload
            self._exchanges[name] = exchange

    def resolve(self, node):
        """Follow local ``$ref``s until a node without one."""
        seen = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if ref in seen or not ref.startswith("#/"):
                raise ValueError(f"unsupported or circular $ref {ref!r}")
            seen.add(ref)
            target = self.document
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def event_types(self):
        return sorted(self._exchanges)

    def versions(self, event_type):
        return sorted(v for (t, v) in self._schemas if t == event_type)

    def schema(self, event_type, version):
        return self._schemas.get((event_type, version))

    def exchange(self, event_type):
        return self._exchanges.get(event_type)

    def channels(self):
        return [{"event_type": t, "exchange": self._exchanges[t], "routing_key": t, "versions": self.versions(t)}
                for t in self.event_types()]

    def data_properties(self, event_type, version):
        """Names of the ``data`` properties the schema declares (for consistency checks)."""
        names, required = set(), set()
        for node in _all_of(self, self.schema(event_type, version)):
            data = (node.get("properties") or {}).get("data")
            for part in _all_of(self, data) if data else ():
                names.update((part.get("properties") or {}).keys())
                required.update(part.get("required") or ())
        return names, required

    def validate(self, envelope):
        """A list of "path: problem" strings; empty when the envelope conforms."""
        if not isinstance(envelope, dict):
            return ["$: the envelope must be a JSON object"]
        event_type, version = envelope.get("type"), envelope.get("version")
        schema = self.schema(event_type, version)
        if schema is None:
            known = self.versions(event_type)
            if known:
                return [f"$.version: {event_type} version {version!r} is not in the contract (known: {known})"]
            return [f"$.type: {event_type!r} is not an event of the public contract"]
        return validate_schema(envelope, schema, self)


def _all_of(contract, schema):
    """The schema and its allOf parts, flattened, refs resolved."""
    schema = contract.resolve(schema)
    out = [schema]
    for part in schema.get("allOf", ()):
        out.extend(_all_of(contract, part))
    return out


def _const(contract, schema, prop):
    for node in _all_of(contract, schema):
        value = (node.get("properties") or {}).get(prop)
        if value is not None:
            value = contract.resolve(value)
            if "const" in value:
                return value["const"]
    return None


def load(path=None):
    """The contract at ``path`` (default: $CHUANGXIAN_ASYNCAPI or the repo's docs/asyncapi.yaml)."""
    path = Path(path or os.environ.get(ENV_PATH) or DEFAULT_PATH)
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _CACHE:
        with open(path, encoding="utf-8") as handle:
            _CACHE[key] = Contract(yaml.safe_load(handle))
    return _CACHE[key]


def validate(envelope, contract=None):
    return (contract or load()).validate(envelope)


def check(envelope, contract=None):
    """Raise ValidationFailed (details: the list of problems) unless the envelope conforms."""
    errors = validate(envelope, contract)
    if errors:
        raise ValidationFailed(
            "event does not match the public contract: " + "; ".join(errors[:5]),
            "事件不符合公开契约：" + "；".join(errors[:5]),
            field="event", details=errors)


# ------------------------------------------------------------------ the validator

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _type_name(value):
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _TYPES[name](value):
            return name
    return type(value).__name__


def _is_datetime(text):
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
        return "T" in text
    except ValueError:
        return False


def validate_schema(value, schema, contract, path="$"):
    """Errors of ``value`` against ``schema`` (a list of "path: problem")."""
    schema = contract.resolve(schema)
    if schema is True or schema == {}:
        return []
    if schema is False:
        return [f"{path}: not allowed"]
    errors = []
    for part in schema.get("allOf", ()):
        errors.extend(validate_schema(value, part, contract, path))
    if "anyOf" in schema and not any(not validate_schema(value, p, contract, path) for p in schema["anyOf"]):
        errors.append(f"{path}: matches none of anyOf")
    if "oneOf" in schema:
        hits = sum(1 for p in schema["oneOf"] if not validate_schema(value, p, contract, path))
        if hits != 1:
            errors.append(f"{path}: matches {hits} of oneOf (exactly one needed)")
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](value) for t in types):
            return errors + [f"{path}: expected {' or '.join(types)}, got {_type_name(value)}"]
    if "const" in schema and (value != schema["const"] or type(value) is not type(schema["const"])):
        errors.append(f"{path}: must be {schema['const']!r}, got {value!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: must be one of {schema['enum']}, got {value!r}")
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append(f"{path}: shorter than {schema['minLength']} characters")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(f"{path}: longer than {schema['maxLength']} characters")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
        if schema.get("format") == "date-time" and not _is_datetime(value):
            errors.append(f"{path}: {value!r} is not an ISO 8601 date-time")
    if _TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: less than {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: more than {schema['maximum']}")
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            errors.append(f"{path}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(f"{path}: more than {schema['maxItems']} items")
        if "items" in schema:
            for index, item in enumerate(value):
                errors.extend(validate_schema(item, schema["items"], contract, f"{path}[{index}]"))
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        for name in schema.get("required", ()):
            if name not in value:
                errors.append(f"{path}.{name}: required")
        for name, item in value.items():
            if name in properties:
                errors.extend(validate_schema(item, properties[name], contract, f"{path}.{name}"))
            elif "additionalProperties" in schema:
                extra = schema["additionalProperties"]
                if extra is False:
                    errors.append(f"{path}.{name}: not allowed here")
                elif isinstance(extra, dict):
                    errors.extend(validate_schema(item, extra, contract, f"{path}.{name}"))
    return errors
