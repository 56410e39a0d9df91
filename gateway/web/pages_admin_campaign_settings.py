"""A campaign's settings (活动设置), edited through a form generated from what its
program declares (core/settings_spec.py → gateway/web/schema_form.py): numbers with
their ranges, choices as labelled selects, a mapping's parts each with its label;
the settings a program fixes are shown, not edited. No JSON anywhere. The
applications service checks every value and refuses a bad one naming it by its
label; settings no longer change once an application was submitted."""
from flask import g, redirect, render_template, request, url_for

from core import labels, settings_spec
from core.errors import ChuangxianError, field_error, invalid
from gateway.api import rpc
from gateway.web import blp, i18n, schema_form, session
from gateway.web.page_helpers import with_message
from gateway.web.pages_admin import ADMIN_ROLES
from gateway.web.pages_common import load_me

i18n.add({
    "campaign_settings": ("活动设置", "Campaign settings"),
    "save_settings": ("保存设置", "Save the settings"),
    "settings_saved_ok": ("已保存活动设置", "Settings saved"),
    "fixed_settings": ("由项目统一规定的设置", "Settings the program fixes"),
    "settings_locked_hint": ("已有申报提交后，活动设置不能再修改（申报人按提交时的设置接受审核）。",
                             "Once an application is submitted the settings can no longer change (applicants are "
                             "judged by the settings they applied under)."),
})


def _vocabulary(program, key):
    """Per program version: a later version may label a choice differently."""
    return f"setting.{program['name']}.{program.get('version')}.{key}"


def _register_choices(program):
    """The choices' labels (declared with the program) in the label catalogue, so the
    selects show them (`label_any` with the field's vocabulary)."""
    settings, specs = program.get("settings") or {}, program.get("settings_spec") or {}
    for key, spec in settings_spec.specs_of(settings, specs).items():
        choices = settings_spec.choices_of(spec, settings_spec.defaults_of(settings).get(key))
        if choices:
            labels.register(_vocabulary(program, key), choices)


def _coerce(schema, values):
    """Numbers typed as text back to numbers (what does not read as one stays text,
    so the service names it); a multiselect with nothing chosen is an empty list."""
    out = {}
    for name, prop in (schema.get("properties") or {}).items():
        value = values.get(name)
        kind = prop.get("type")
        if kind == "object":
            out[name] = _coerce(prop, value or {})
        elif kind == "array":
            item = prop.get("items") or {}
            whole = item.get("type") == "integer" or any(isinstance(e, int) for e in item.get("enum") or [])
            out[name] = [int(v) if whole and str(v).lstrip("-").isdigit() else v for v in (value or [])]
        elif value is None:
            continue
        elif kind == "integer" and str(value).lstrip("-").isdigit():
            out[name] = int(value)
        elif kind == "number":
            try:
                out[name] = float(value)
            except ValueError:
                out[name] = value
        else:
            out[name] = value
    return out


def _missing(schema, values, prefix=""):
    problems = []
    for name, prop in (schema.get("properties") or {}).items():
        if prop.get("type") == "object":
            problems += _missing(prop, values.get(name) or {}, f"{prefix}{name}.")
        elif prop.get("type") in ("integer", "number") and values.get(name) is None:
            problems.append(field_error(f"settings.{prefix}{name}", f"{prop['description']}: required.",
                                        f"{prop['title']}：必填"))
    return problems


def _fields(program, schema, values, errors):
    fields = schema_form.describe(schema, values, errors)
    for f in fields:
        f["vocabulary"] = _vocabulary(program, f["name"])
    return fields


@blp.route("/admin/campaigns/<campaign_id>/settings", methods=["GET", "POST"])
@session.page_login_required
def admin_campaign_settings(campaign_id):
    load_me(ADMIN_ROLES)
    error, values = None, None
    with rpc() as cluster:
        campaign = cluster.applications.get_campaign(g.actor_id, campaign_id)
        program = cluster.applications.get_program(campaign["program"], campaign.get("program_version"))
        schema = settings_spec.form_schema(program.get("settings"), program.get("settings_spec"))
        if request.method == "POST":
            values = _coerce(schema, schema_form.parse(schema, request.form))
            try:
                missing = _missing(schema, values)
                if missing:
                    raise invalid(missing)
                cluster.applications.edit_campaign(g.actor_id, campaign_id, {"settings": values})
            except ChuangxianError as exc:
                error = exc.to_dict()
            else:
                return redirect(with_message(url_for("web.admin_campaign", campaign_id=campaign_id),
                                             "settings_saved_ok"))
    _register_choices(program)
    current = settings_spec.defaults_of({**(program.get("settings") or {}), **(campaign.get("settings") or {})})
    errors = schema_form.errors_by_field(error, strip_prefix="settings.") if error else {}
    fields = _fields(program, schema, values if values is not None else current, errors)
    fixed = [(spec, value) for _key, spec, value in
             settings_spec.fixed_settings(program.get("settings"), program.get("settings_spec"))]
    return render_template("admin_campaign_settings.html", campaign=campaign, fields=fields, fixed=fixed,
                           error=error, field_labels=schema_form.labels_of(fields)), (422 if error else 200)
