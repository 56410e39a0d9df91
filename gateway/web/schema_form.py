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


PHONE_NAMES = ("phone", "mobile", "tel", "contact_phone")


def _kind(prop, name=""):
    if "enum" in prop:
        return "select"
    kind = prop.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "string":
        if prop.get("format") == "date":
            return "date"
        if prop.get("format") == "date-time":
            return "datetime"
        if name in PHONE_NAMES or name.endswith("_phone") or (prop.get("pattern") or "").startswith("^1\\d{10}"):
            return "tel"
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
        kind = _kind(prop, name)
        field = {"name": dotted, "id": "f-" + dotted.replace(".", "-"), "kind": kind, "label": _label(prop, name),
                 "required": name in required, "error": errors.get(dotted), "value": _get(values, path),
                 "min_length": prop.get("minLength"), "max_length": prop.get("maxLength"),
                 "minimum": prop.get("minimum"), "maximum": prop.get("maximum"), "pattern": prop.get("pattern"),
                 "options": prop.get("enum") or (prop.get("items") or {}).get("enum") or [],
                 "max_items": prop.get("maxItems"), "min_items": prop.get("minItems"),
                 # options show their label (core/labels.py); the field's own name is
                 # tried first as the vocabulary (lead_role, post, branch_type...)
                 "vocabulary": name}
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


def normalise_time(raw):
    """"2026-12-11 17:00", "2026/12/11 17:00" or "2026-12-11T17:00" -> the ISO form
    "2026-12-11T17:00" the services read (Beijing time); a date stays a date."""
    text = raw.strip().replace("/", "-").replace("年", "-").replace("月", "-").replace("日", "")
    text = " ".join(text.split())
    if " " in text:
        text = text.replace(" ", "T", 1)
    return text


def labels_of(fields, parent=None, out=None):
    """{dotted field: (zh, en)} of `describe`'s fields, so an error summary names
    each field by its label ("指导教师 · 手机号", "预期成果 第 2 条 · 描述")."""
    out = {} if out is None else out
    for f in fields:
        zh, en = f["label"]["zh"], f["label"]["en"]
        if parent:
            zh, en = f"{parent[0]} · {zh}", f"{parent[1]} · {en}"
        out[f["name"]] = (zh, en)
        if f["kind"] == "group":
            labels_of(f["children"], (zh, en), out)
        elif f["kind"] == "rows":
            for index, row in enumerate(f["rows"], start=1):
                labels_of(row, (f"{zh} 第 {index} 条", f"{en} #{index}"), out)
    return out


def _convert(prop, raw):
    kind = _kind(prop)
    if kind in ("date", "datetime") and isinstance(raw, str):
        return normalise_time(raw)
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
        kind = _kind(prop, name)
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


def without(values, dotted_names):
    """A copy of the form `values` without the fields named (dotted, as in errors):
    what is left of a draft once the values that break a rule are set aside, so it
    can be saved while the page keeps showing everything as typed. An error on a
    row (``items.1.amount``) drops that one value; on a list or group, the whole."""
    import copy

    kept = copy.deepcopy(values)
    for name in dotted_names:
        parts = [p for p in str(name).split(".") if p]
        node = kept
        for part in parts[:-1]:
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                node = None
            if node is None:
                break
        if node is None or not parts:
            continue
        last = parts[-1]
        if isinstance(node, dict):
            node.pop(last, None)
        elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
            node[int(last)] = None
    return _compact(kept)


def _compact(value):
    if isinstance(value, dict):
        out = {k: _compact(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        out = [_compact(v) for v in value]
        return [v for v in out if v not in (None, {}, [])]
    return value


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
