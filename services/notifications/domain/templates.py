"""Message templates: defaults in Chinese and English, admin overrides, safe rendering.

Syntax is ``string.Template``: ``${applicant_name}`` or ``$applicant_name``; ``$$`` is a
literal dollar sign. Nothing else is evaluated: no attribute access, no indexing, no
expressions, so an admin-edited template can never run code or reach into objects.

Which names a template may use depends on the event (``catalog.EventSpec.placeholders``):
the event's scalar ``data`` fields, names derived from them (``amount_yuan``,
``state_label``, ``closes_at_local``, ``entries_text`` …) and the common names
(``reader_name``, ``program_name``, ``occurred_at_local``, ``link`` …).
``validate_template`` refuses any other name with a zh/en message listing the
allowed ones.

Override lookup (``resolve_template``), first hit wins:
  1. program + event type + language   (an admin's text for one program)
  2. event type + language             (an admin's text for every program)
  3. the built-in default for the language ("zh" when the language is unknown)

Override documents (what the store keeps; ``make_override`` builds and validates one):
  {"key": "<program or *>|<event_type>|<lang>", "program": str | None,
   "event_type": str, "lang": "zh" | "en", "subject": str, "body": str,
   "updated_at": datetime, "updated_by": str | None}
"""
import re
import string
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from core.errors import ValidationFailed, field_error, invalid
from core.labels import label

from .catalog import DERIVED, EVENTS, LABELS, spec_for

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
PLATFORM_NAME = {"zh": "创先平台", "en": "Chuangxian"}
MAX_SUBJECT = 200
MAX_BODY = 20000


class SafeTemplate(string.Template):
    """``$name`` / ``${name}`` only; names are lower-case identifiers."""

    idpattern = r"[a-z][a-z0-9_]*"
    flags = re.ASCII  # not IGNORECASE: ``$Name`` is a stray "$", refused by validation


class TemplateRenderError(ValidationFailed):
    """A template names a placeholder the event did not provide a value for."""


DEFAULTS = {
    "application.submitted": {
        "zh": ("【创先】申报已提交：${applicant_name}",
               "${reader_name}您好：\n\n${applicant_name} 的申报已于 "
               "${occurred_at_local} 提交，进入辅导员初审。\n项目：${program_name}\n\n${link}"),
        "en": ("[Chuangxian] Application submitted: ${applicant_name}",
               "Dear ${reader_name},\n\nThe application of ${applicant_name} "
               "was submitted at ${occurred_at_local} (Beijing time) and awaits the counselor's "
               "pre-review.\nProgram: ${program_name}\n\n${link}"),
    },
    "application.returned": {
        "zh": ("【创先】申报被退回：${applicant_name}",
               "${reader_name}您好：\n\n${applicant_name} 的申报已被 "
               "${actor_name} 退回，请修改后重新提交。\n退回原因：${reason}\n项目：${program_name}\n\n${link}"),
        "en": ("[Chuangxian] Application returned: ${applicant_name}",
               "Dear ${reader_name},\n\nThe application of ${applicant_name} "
               "was returned by ${actor_name}. Please revise and resubmit it.\nReason: ${reason}\n"
               "Program: ${program_name}\n\n${link}"),
    },
    "application.college_approved": {
        "zh": ("【创先】学院审核通过：${applicant_name}",
               "${reader_name}您好：\n\n${applicant_name} 的申报已通过学院审核，"
               "提交学校评审。\n项目：${program_name}\n\n${link}"),
        "en": ("[Chuangxian] Approved by the college: ${applicant_name}",
               "Dear ${reader_name},\n\nThe application of ${applicant_name} "
               "was approved by the college and goes on to the school's review.\n"
               "Program: ${program_name}\n\n${link}"),
    },
    "application.decided": {
        "zh": ("【创先】评审结果：${applicant_name} ${state_label}",
               "${reader_name}您好：\n\n${applicant_name} 的申报评审结果为："
               "${state_label}。\n说明：${reason}\n项目：${program_name}\n\n${link}"),
        "en": ("[Chuangxian] Decision: ${applicant_name} ${state_label}",
               "Dear ${reader_name},\n\nThe application of ${applicant_name} "
               "has been decided: ${state_label}.\nNote: ${reason}\nProgram: ${program_name}\n\n${link}"),
    },
    "application.withdrawn": {
        "zh": ("【创先】申报已撤回：${applicant_name}",
               "${reader_name}您好：\n\n${applicant_name} 的申报已于 "
               "${occurred_at_local} 由 ${actor_name} 撤回。\n项目：${program_name}\n\n${link}"),
        "en": ("[Chuangxian] Application withdrawn: ${applicant_name}",
               "Dear ${reader_name},\n\nThe application of ${applicant_name} "
               "was withdrawn by ${actor_name} at ${occurred_at_local} (Beijing time).\n"
               "Program: ${program_name}\n\n${link}"),
    },
    "review.assigned": {
        "zh": ("【创先】您有 ${application_count} 份申报待评审",
               "${reader_name}您好：\n\n${program_name} 有 ${application_count} 份申报分配给您评审，"
               "请在 ${due_at_local} 前完成评分。\n\n${link}"),
        "en": ("[Chuangxian] ${application_count} application(s) to review",
               "Dear ${reader_name},\n\n${application_count} application(s) of ${program_name} "
               "were assigned to you. Please submit your score sheets by ${due_at_local} "
               "(Beijing time).\n\n${link}"),
    },
    "notice.published": {
        "zh": ("【创先】公示：${program_name} 名单（至 ${closes_at_local}）",
               "${reader_name}您好：\n\n${program_name} 拟定名单现予以公示，公示期 ${opens_at_local} 至 "
               "${closes_at_local}。如有异议，请在公示期内通过平台提出。\n\n公示名单（共 ${entry_count} 项）：\n"
               "${entries_text}\n\n${link}"),
        "en": ("[Chuangxian] Public notice: ${program_name} (until ${closes_at_local})",
               "Dear ${reader_name},\n\nThe proposed list of ${program_name} is publicly noticed "
               "from ${opens_at_local} to ${closes_at_local} (Beijing time). Objections may be filed "
               "on the platform during this period.\n\nList (${entry_count} entries):\n"
               "${entries_text}\n\n${link}"),
    },
    "notice.closed": {
        "zh": ("【创先】公示结束：${program_name}",
               "${reader_name}您好：\n\n${program_name} 名单公示已于 ${closes_at_local} 结束。\n\n"
               "名单（共 ${entry_count} 项）：\n${entries_text}\n\n${link}"),
        "en": ("[Chuangxian] Public notice closed: ${program_name}",
               "Dear ${reader_name},\n\nThe public notice of ${program_name} closed at "
               "${closes_at_local} (Beijing time).\n\nList (${entry_count} entries):\n"
               "${entries_text}\n\n${link}"),
    },
    "award.granted": {
        # data.recipient_name is the awarded class/dorm/person/branch, not the reader.
        "zh": ("【创先】荣誉授予：${recipient_name} 获“${title}”",
               "${reader_name}您好：\n\n${recipient_kind_label} ${recipient_name} 在 ${academic_year} 学年"
               "${program_name}中获得“${title}”（${level_label}）荣誉称号，特此通知。\n\n${link}"),
        "en": ("[Chuangxian] Award: ${title} to ${recipient_name}",
               "Dear ${reader_name},\n\nIn ${program_name} (${academic_year}), the ${recipient_kind_label} "
               "${recipient_name} received the title \"${title}\" (${level_label}).\n\n${link}"),
    },
    "stage.assessed": {
        "zh": ("【创先】${stage_label}：${result_label}",
               "${reader_name}您好：\n\n${applicant_name} 的${stage_label}报告审核结果：${result_label}。\n"
               "审核意见：${comment}\n项目：${program_name}\n\n${link}"),
        "en": ("[Chuangxian] ${stage_label}: ${result_label}",
               "Dear ${reader_name},\n\nThe ${stage_label} report of ${applicant_name} was reviewed: "
               "${result_label}.\nComment: ${comment}\nProgram: ${program_name}\n\n${link}"),
    },
    "grant.awarded": {
        "zh": ("【创先】立项经费下达：${amount_yuan} 元",
               "${reader_name}您好：\n\n项目“${project_title}”已立项，等级：${tier_label}，经费 ${amount_yuan} 元。"
               "报销不得超过立项经费。\n\n${link}"),
        "en": ("[Chuangxian] Grant awarded: CNY ${amount_yuan}",
               "Dear ${reader_name},\n\nThe project \"${project_title}\" was granted CNY ${amount_yuan} "
               "(tier: ${tier_label}). Reimbursements can never exceed the grant."
               "\n\n${link}"),
    },
    "claim.submitted": {
        "zh": ("【创先】报销待审批：${amount_yuan} 元",
               "${reader_name}您好：\n\n项目“${project_title}”的报销申请，"
               "金额 ${amount_yuan} 元，待您审批。\n\n${link}"),
        "en": ("[Chuangxian] Claim awaiting approval: CNY ${amount_yuan}",
               "Dear ${reader_name},\n\nA reimbursement claim of the project \"${project_title}\" "
               "(CNY ${amount_yuan}) awaits your approval.\n\n${link}"),
    },
    "claim.approved": {
        "zh": ("【创先】报销已批准：${amount_yuan} 元",
               "${reader_name}您好：\n\n项目“${project_title}”的报销申请（"
               "金额 ${amount_yuan} 元）已批准。\n\n${link}"),
        "en": ("[Chuangxian] Claim approved: CNY ${amount_yuan}",
               "Dear ${reader_name},\n\nThe reimbursement claim of the project "
               "\"${project_title}\" (CNY ${amount_yuan}) was approved.\n\n${link}"),
    },
    "project.closed": {
        "zh": ("【创先】项目已结项：${project_title}",
               "${reader_name}您好：\n\n项目“${project_title}”已结项。已报销 ${spent_yuan} 元，"
               "结余 ${returned_yuan} 元退回经费池。\n\n${link}"),
        "en": ("[Chuangxian] Project closed: ${project_title}",
               "Dear ${reader_name},\n\nThe project \"${project_title}\" is closed. Spent CNY ${spent_yuan}; "
               "CNY ${returned_yuan} returned to the campaign budget.\n\n${link}"),
    },
}
# --------------------------------------------------------------------------- syntax

def placeholders_in(text):
    """(names, errors) of a template text; errors are (line, column) of a bad ``$``."""
    names, bad = [], []
    for match in SafeTemplate.pattern.finditer(text):
        if match.group("invalid") is not None:
            start = match.start()
            line = text.count("\n", 0, start) + 1
            column = start - (text.rfind("\n", 0, start) + 1) + 1
            bad.append((line, column))
            continue
        name = match.group("named") or match.group("braced")
        if name and name not in names:
            names.append(name)
    return names, bad


def validate_template(event_type, subject, body):
    """Refuse a template the renderer could not fill; return the placeholders it uses.

    Raises ValidationFailed (details: one entry per problem, field "subject"/"body"/
    "event_type") for an unknown event type, an empty or over-long text, a line break
    in the subject, a stray ``$``, or a placeholder the event does not provide.
    """
    spec = spec_for(event_type)
    if spec is None:
        raise invalid([field_error(
            "event_type", f"unknown event type {event_type!r}; known: {', '.join(sorted(EVENTS))}",
            f"未知的事件类型 {event_type!r}；可用：{'、'.join(sorted(EVENTS))}")])
    allowed = spec.placeholders
    errors, used = [], []
    for fname, text, limit in (("subject", subject, MAX_SUBJECT), ("body", body, MAX_BODY)):
        if not isinstance(text, str) or not text.strip():
            errors.append(field_error(fname, "must not be empty", "不能为空"))
            continue
        if len(text) > limit:
            errors.append(field_error(fname, f"at most {limit} characters", f"最多 {limit} 个字符"))
        if fname == "subject" and ("\n" in text or "\r" in text):
            errors.append(field_error(fname, "must be one line", "标题不能换行"))
        names, bad = placeholders_in(text)
        for line, column in bad:
            errors.append(field_error(
                fname, f"stray '$' at line {line}, column {column} (write $$ for a dollar sign)",
                f"第 {line} 行第 {column} 列的“$”无效（美元符号请写作 $$）"))
        unknown = [n for n in names if n not in allowed]
        if unknown:
            listed = ", ".join(sorted(allowed))
            errors.append(field_error(
                fname,
                f"unknown placeholder(s) {', '.join('${' + n + '}' for n in unknown)} for "
                f"{event_type}; allowed: {listed}",
                f"模板变量 {'、'.join('${' + n + '}' for n in unknown)} 不适用于事件 {event_type}；"
                f"可用变量：{listed}"))
        used.extend(n for n in names if n in allowed and n not in used)
    if errors:
        raise invalid(errors)
    return used


def render_text(text, context):
    """Fill ``text`` from ``context`` (a dict of str); refuse missing names clearly."""
    names, bad = placeholders_in(text)
    if bad:
        line, column = bad[0]
        raise TemplateRenderError(
            f"stray '$' at line {line}, column {column}", f"第 {line} 行第 {column} 列的“$”无效")
    missing = [n for n in names if n not in context]
    if missing:
        joined = ", ".join(missing)
        raise TemplateRenderError(
            f"no value for placeholder(s): {joined}", f"模板变量缺少取值：{joined}",
            field="template", details={"missing": missing})
    return SafeTemplate(text).substitute({n: _text(context[n]) for n in names})


def _text(value):
    return "" if value is None else str(value)


# --------------------------------------------------------------------------- lookup

def normalize_lang(lang):
    lang = (lang or DEFAULT_LANG).lower().replace("_", "-")
    if lang.startswith("zh"):
        return "zh"
    if lang.startswith("en"):
        return "en"
    return DEFAULT_LANG


def override_key(program, event_type, lang):
    return f"{program or '*'}|{event_type}|{normalize_lang(lang)}"


def make_override(event_type, lang, subject, body, program=None, actor_id=None, now=None):
    """A validated override document (see module docstring) for the store to upsert on ``key``."""
    if lang not in LANGS:
        raise invalid([field_error("lang", f"must be one of {', '.join(LANGS)}",
                                   f"语言必须是 {'、'.join(LANGS)} 之一")])
    validate_template(event_type, subject, body)
    return {
        "key": override_key(program, event_type, lang),
        "program": program or None,
        "event_type": event_type,
        "lang": lang,
        "subject": subject,
        "body": body,
        "updated_at": now or datetime.now(timezone.utc),
        "updated_by": actor_id,
    }


def resolve_template(event_type, lang=DEFAULT_LANG, program=None, overrides=()):
    """The template to use: {"subject", "body", "lang", "source"} where source is
    "program" | "event" | "default". ``overrides`` is any iterable of override docs."""
    lang = normalize_lang(lang)
    by_key = {override_key(o.get("program"), o["event_type"], o["lang"]): o for o in overrides}
    if program:
        hit = by_key.get(override_key(program, event_type, lang))
        if hit:
            return {"subject": hit["subject"], "body": hit["body"], "lang": lang, "source": "program"}
    hit = by_key.get(override_key(None, event_type, lang))
    if hit:
        return {"subject": hit["subject"], "body": hit["body"], "lang": lang, "source": "event"}
    if event_type not in DEFAULTS:
        raise ValidationFailed(f"no template for event type {event_type!r}",
                               f"事件类型 {event_type!r} 没有模板", field="event_type")
    subject, body = DEFAULTS[event_type][lang]
    return {"subject": subject, "body": body, "lang": lang, "source": "default"}


# --------------------------------------------------------------------------- context

def parse_time(value):
    """An aware UTC datetime from ISO 8601 text (``Z`` accepted) or a datetime (naive = UTC)."""
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def local_time(value):
    """``2023-10-18 17:00`` in Asia/Shanghai, as people on campus read times."""
    return parse_time(value).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def yuan(fen):
    """Integer fen to a yuan string with two decimals: 500000 -> "5000.00"."""
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def _label(kind, value, lang):
    pair = LABELS.get(kind, {}).get(value)
    if pair is None:
        return _text(value)
    if lang == "zh":
        return pair[0]
    # English labels stand mid-sentence in messages ("... has been decided: approved").
    return pair[1][:1].lower() + pair[1][1:]


def build_context(envelope, lang=DEFAULT_LANG, reader_name="", program_name=None, link="",
                  platform_name=None):
    """Every placeholder value for one event and one reader, as strings.

    A required data field that is absent is left out, so a template using it fails
    with a clear TemplateRenderError; optional fields (catalog ``optional``) are "".
    """
    lang = normalize_lang(lang)
    spec = spec_for(envelope["type"])
    data = envelope.get("data") or {}
    actor = envelope.get("actor") or {}
    context = {
        "event_id": envelope.get("id", ""),
        "event_type": envelope["type"],
        "event_title": (spec.title_zh if lang == "zh" else spec.title_en) if spec else envelope["type"],
        "occurred_at": envelope.get("occurred_at", ""),
        "occurred_at_local": local_time(envelope["occurred_at"]) if envelope.get("occurred_at") else "",
        "actor_name": actor.get("name") or ("系统" if lang == "zh" else "the system"),  # never an id
        "reader_name": reader_name or ("" if lang == "zh" else "Sir or Madam"),
        "program_name": program_name or label("program", data.get("program"), lang),
        "link": link or "",
        "platform_name": platform_name or PLATFORM_NAME[lang],
    }
    fields = spec.fields if spec else tuple(k for k, v in data.items() if not isinstance(v, (list, dict)))
    optional = spec.optional if spec else ()
    for name in fields:
        value = data.get(name)
        if value is None:
            if name in optional:
                context[name] = ""
                context.update({key: "" for key in DERIVED.get(name, ())})
            continue
        context[name] = _text(value)
        for derived in _derive(name, value, lang):
            context.update(derived)
    for name in (spec.lists if spec else ()):
        if name in data:
            for derived in _derive(name, data[name], lang):
                context.update(derived)
    return context


def _derive(name, value, lang):
    if name.endswith("_fen"):
        yield {name[:-4] + "_yuan": yuan(value)}
    elif name.endswith("_at"):
        yield {name + "_local": local_time(value)}
    elif name in ("state", "from_state", "tier", "level", "recipient_kind", "stage", "result"):
        yield {name + "_label": _label(name, value, lang)}
    elif name == "entries":
        lines = [f"{i}. {e.get('applicant_name') or e.get('application_id', '')}"
                 for i, e in enumerate(value or [], 1)]
        yield {"entries_text": "\n".join(lines) or ("（无）" if lang == "zh" else "(none)"),
               "entry_count": str(len(value or []))}


def render_message(envelope, lang=DEFAULT_LANG, overrides=(), reader_name="", program_name=None,
                   link="", program=None):
    """Resolve and render one message: {"subject", "body", "lang", "template_source"}.

    ``program`` (for program-level overrides) defaults to ``data.program``; funding
    events carry none, so the service passes the campaign's program there.
    ``program_name`` is the display name (e.g. 对标争先); default: the program id."""
    lang = normalize_lang(lang)
    data = envelope.get("data") or {}
    template = resolve_template(envelope["type"], lang, program or data.get("program"), overrides)
    context = build_context(envelope, lang, reader_name=reader_name,
                            program_name=program_name, link=link)
    return {
        "subject": render_text(template["subject"], context),
        "body": render_text(template["body"], context),
        "lang": lang,
        "template_source": template["source"],
    }
