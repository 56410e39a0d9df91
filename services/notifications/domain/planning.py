"""From one event to its delivery documents: who, which channel, which text.

The service's event handler does, for every event it receives (redelivered or not)::

    ids = recipients.user_ids(envelope, expand_units)          # who may be told
    prefs, contacts = store.preferences(ids), directory.contacts(ids)
    subs = store.subscriptions_for_types([envelope["type"]])[envelope["type"]]
    plan = planning.plan(envelope, prefs, contacts, subs, overrides, now, ...)
    store.insert_new(plan["deliveries"])                        # unique _id: a second copy is a no-op

and a sender loop picks due deliveries (``deliveries.start_attempt`` → ``Channel.send``
→ ``deliveries.record_result``).

``contacts``: {user_id: {"name": str, "email": str | None, "lang": "zh" | "en" | None}}
from the directory; a user without an e-mail address simply gets no e-mail (listed in
``skipped``). The language is the user's preference, else the contact's, else "zh".

Rendered message stored in each delivery (``delivery["message"]``):

- person channels (inbox, email, custom): {"subject", "body", "lang", "template_source",
  "reader_name", "link", "roles"[, "template_error"]}
- webhook: {"payload": <the envelope as published, without routing hints>, "lang"}
- group robots (dingtalk, wecom, custom): {"subject", "body", "lang", "template_source",
  "options": <subscription options, e.g. msgtype, at_mobiles>}
"""
from datetime import datetime, timezone

from . import deliveries as dl
from . import preferences as pf
from . import recipients as rc
from . import subscriptions as sb
from .catalog import spec_for
from .rate_limit import reserve
from .templates import TemplateRenderError, normalize_lang, render_message


def _render(envelope, lang, overrides, reader_name, program_name, link, program=None):
    """Render, falling back from a broken override to the default, then to a plain summary."""
    try:
        return render_message(envelope, lang, overrides, reader_name, program_name, link, program)
    except TemplateRenderError as error:
        first_error = error
    try:
        message = render_message(envelope, lang, (), reader_name, program_name, link, program)
    except TemplateRenderError:
        message = _plain(envelope, lang)
    message["template_error"] = str(first_error)
    return message


def _plain(envelope, lang):
    spec = spec_for(envelope["type"])
    title = (spec.title_zh if lang == "zh" else spec.title_en) if spec else envelope["type"]
    lines = [f"{k}: {v}" for k, v in sorted((envelope.get("data") or {}).items())
             if not isinstance(v, (list, dict))]
    prefix = "【创先】" if lang == "zh" else "[Chuangxian] "
    return {"subject": prefix + title, "body": "\n".join(lines), "lang": lang, "template_source": "plain"}


def plan(envelope, preferences_by_user, contacts, subscriptions=(), overrides=(), now=None, *,
         user_channels=pf.USER_CHANNELS, address_fields=None, policies=None, program=None,
         program_name=None, link_for=None, expand_units=None):
    """{"deliveries": [delivery docs], "skipped": [{"recipient", "channel", "reason"}]}.

    ``user_channels``: the person channels configured in this installation, in order (e.g.
    drop "email" when no SMTP server is configured; add a university's "sms").
    ``address_fields``: {channel: contact field holding the address}, default
    {"email": "email"}; a channel not listed is addressed by user id (the inbox).
    ``policies``: {channel: BackoffPolicy}. ``program``: the program id for template
    overrides when the event's data has none (funding events); ``program_name``: its
    display name for the texts.
    ``link_for(envelope, recipient_key) -> str`` builds a link to the platform page.
    Deterministic: the same inputs give the same delivery ids and documents.
    """
    policies = policies or {}
    address_fields = {"email": "email"} if address_fields is None else address_fields
    now = dl.utc(now) or datetime.now(timezone.utc)
    planned, skipped = [], []
    event_id, event_type = envelope["id"], envelope["type"]

    def link(recipient):
        return link_for(envelope, recipient) if link_for else ""

    for person in rc.resolve(envelope, expand_units):
        user_id = person["user_id"]
        recipient = f"user:{user_id}"
        prefs = preferences_by_user.get(user_id) or pf.default_preferences(user_id)
        contact = contacts.get(user_id) or {}
        lang = normalize_lang(prefs.get("lang") or contact.get("lang"))
        channels = pf.channels_for(prefs, event_type, user_channels)
        if not channels:
            skipped.append({"recipient": recipient, "channel": None, "reason": "muted by preferences"})
            continue
        message = None
        for channel in channels:
            field = address_fields.get(channel)
            if field:
                address = contact.get(field)
                if not address:
                    skipped.append({"recipient": recipient, "channel": channel, "reason": f"no {field}"})
                    continue
            else:
                address = user_id
            if message is None:
                message = _render(envelope, lang, overrides, contact.get("name", ""), program_name,
                                  link(recipient), program)
                message.update({"reader_name": contact.get("name", ""), "link": link(recipient),
                                "roles": list(person["roles"])})
            planned.append(dl.new_delivery(event_id, event_type, recipient, channel, address, dict(message),
                                           now, policies.get(channel, dl.DEFAULT_POLICY)))

    for subscription in sb.matching(subscriptions, envelope, program):
        recipient = sb.recipient_key(subscription)
        channel = subscription["channel"]
        lang = normalize_lang(subscription.get("lang"))
        if channel == "webhook":
            message = {"payload": webhook_payload(envelope), "lang": lang}
        else:
            message = _render(envelope, lang, overrides, "", program_name, link(recipient), program)
            message["options"] = dict(subscription.get("options") or {})
        planned.append(dl.new_delivery(event_id, event_type, recipient, channel, subscription["url"], message,
                                       now, policies.get(channel, dl.DEFAULT_POLICY)))
    return {"deliveries": planned, "skipped": skipped}


def webhook_payload(envelope):
    """The envelope for an outside system: routing hints (lists of user/unit ids that
    only say whom to notify, catalog ``recipient_fields``) are left out."""
    spec = spec_for(envelope["type"])
    hints = set(spec.recipient_fields) if spec else set()
    data = {k: v for k, v in (envelope.get("data") or {}).items() if k not in hints}
    return {**envelope, "data": data}


def spread(deliveries, limit, state, now):
    """Give each delivery a ``next_attempt_at`` from the rate limit (``rate_limit.reserve``).

    Returns (new delivery docs, new bucket state). With ``limit`` None nothing changes.
    """
    if limit is None or not deliveries:
        return list(deliveries), state
    times, new_state = reserve(limit, state, now, len(deliveries))
    out = []
    for delivery, moment in zip(deliveries, times):
        when = max(dl.utc(delivery["next_attempt_at"]) or moment, moment)
        out.append({**delivery, "next_attempt_at": when})
    return out, new_state
