"""A program's form, rendered from its JSON Schema and read back from the browser.

`describe(schema, values, errors)` gives the template a flat list of fields (nested
objects and lists of objects become dotted names like ``faculty_advisor.name`` and
``expected_outputs.0.description``), each with its label in both languages, the kind
of input, its constraints (so the browser can hint them) and its error. `parse`
turns the posted form back into the JSON the service validates; empty inputs are left
out, so a draft may be incomplete. The service stays the judge of what is valid.
"""
LONG_TEXT = 120          # strings allowed longer than this get a textarea
EXTRA_ROWS = 1           # empty rows offered after the filled ones of a list of objects


def _label(prop, name):
    return {"zh": prop.get("title") or name, "en": prop.get("description") or prop.get("title") or name}


def _kind(prop):
    if "enum" in prop:
        return "select"
    kind = prop.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "string":
        if prop.get("format") == "date":
            return "date"
        return "textarea" if (prop.get("maxLength") or 10 ** 6) > LONG_TEXT else "text"
    if kind in ("number", "integer"):
        return kind
    if kind == "boolean":
        return "checkbox"
    if kind == "array":
        items = prop.get("items") or {}
        if items.get("type") == "object":
            return "rows"
        if "enum" in items:
            return "multiselect"
        return "lines"
    if kind == "object":
        return "group"
    return "text"


def _get(values, path):
    node = values
    for part in path:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
        if node is None:
            return None
    return node


def describe(schema, values=None, errors=None, prefix=()):
    """Fields of `schema` for the template (see the module docstring). `errors` is
    {dotted field: (message_zh, message_en)}; an error on a group or list shows on it."""
    values, errors = values or {}, errors or {}
    required = set(schema.get("required") or [])
    out = []
    for name, prop in (schema.get("properties") or {}).items():
        path = (*prefix, name)
        dotted = ".".join(path)
        kind = _kind(prop)
        field = {"name": dotted, "id": "f-" + dotted.replace(".", "-"), "kind": kind, "label": _label(prop, name),
                 "required": name in required, "error": errors.get(dotted), "value": _get(values, path),
                 "min_length": prop.get("minLength"), "max_length": prop.get("maxLength"),
                 "minimum": prop.get("minimum"), "maximum": prop.get("maximum"), "pattern": prop.get("pattern"),
                 "options": prop.get("enum") or (prop.get("items") or {}).get("enum") or [],
                 "max_items": prop.get("maxItems"), "min_items": prop.get("minItems")}
        if kind == "group":
            field["children"] = describe(prop, values, errors, path)
        elif kind == "rows":
            present = field["value"] if isinstance(field["value"], list) else []
            count = len(present) + EXTRA_ROWS
            if prop.get("maxItems"):
                count = min(count, prop["maxItems"])
            count = max(count, prop.get("minItems") or 1)
            field["rows"] = [describe(prop["items"], values, errors, (*path, str(i))) for i in range(count)]
        out.append(field)
    return out


def _convert(prop, raw):
    kind = _kind(prop)
    if kind == "checkbox":
        return raw in ("on", "true", "1", "yes")
    if kind == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    return raw.strip() if isinstance(raw, str) else raw


def parse(schema, form, prefix=()):
    """The posted form (a werkzeug MultiDict) as the JSON object of `schema`."""
    out = {}
    for name, prop in (schema.get("properties") or {}).items():
        path = (*prefix, name)
        dotted = ".".join(path)
        kind = _kind(prop)
        if kind == "group":
            child = parse(prop, form, path)
            if child:
                out[name] = child
        elif kind == "rows":
            rows, index = [], 0
            while any(key.startswith(f"{dotted}.{index}.") for key in form.keys()):
                row = parse(prop["items"], form, (*path, str(index)))
                if row:
                    rows.append(row)
                index += 1
            if rows:
                out[name] = rows
        elif kind == "multiselect":
            chosen = [v for v in form.getlist(dotted) if v]
            if chosen:
                out[name] = chosen
        elif kind == "checkbox":
            if dotted in form or f"{dotted}.__present" in form:
                out[name] = _convert(prop, form.get(dotted, ""))
        else:
            raw = form.get(dotted, "")
            if raw.strip():
                out[name] = _convert(prop, raw)
    return out


def errors_by_field(error, strip_prefix="form."):
    """{dotted field: (zh, en)} from a service error's details."""
    out = {}
    details = error.get("details") if isinstance(error, dict) else None
    for d in details if isinstance(details, list) else []:
        field = d.get("field") or ""
        if field.startswith(strip_prefix):
            field = field[len(strip_prefix):]
        out.setdefault(field, (d.get("message_zh") or d.get("message"), d.get("message") or d.get("message_zh")))
    return out
