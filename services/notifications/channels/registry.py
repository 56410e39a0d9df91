"""Build channels from configuration, by name; how a university adds its own.

Configuration (``notifications.channels`` in the platform YAML): one entry per channel
name; ``type`` picks the implementation; everything else is that channel's config::

    notifications:
      channels:
        email:    {type: smtp, host: smtp.example.edu.cn, port: 465, ssl: true,
                   username: noreply@example.edu.cn, password: "…",
                   sender: "创先平台 <noreply@example.edu.cn>", rate_limit: {per_minute: 60}}
        webhook:  {type: webhook, timeout: 5, retry: {base_seconds: 60, factor: 3, max_attempts: 8}}
        dingtalk: {type: dingtalk, msgtype: markdown, rate_limit: {per_minute: 20}}
        wecom:    {type: wecom, rate_limit: {per_minute: 20}}
        sms:      {type: "campus_sms.channel:SmsChannel", gateway: "https://sms.example.edu.cn"}
        old_mail: {type: smtp, enabled: false, host: …}        # kept but not built

The in-app inbox is store-backed: the service builds ``InboxChannel(store)`` itself and
passes it in ``extra`` (it is always on).

Adding a channel (e.g. a campus SMS gateway or the school's own app push):

1. Write a class with a ``name``, an ``audience`` ("person": planned for users from their
   preferences, addressed by the contact field named in ``address_field``, e.g.
   "mobile"; or "system": planned for subscriptions) and
   ``send(message) -> DeliveryResult`` that reports, never raises, delivery failures
   (``retryable=True`` when a later try can help). Subclassing ``channels.Channel``
   gives ``rate_limit`` and ``retry`` from the config for free. The constructor takes
   ``(config: dict, name: str)``.
2. Install its package in the platform's environment and name it in ``type`` as
   ``"package.module:ClassName"`` — or call ``register_channel_type("sms", SmsChannel)``
   at import time and write ``type: sms``.
3. Users get a new person channel only when they switch it on in their preferences
   (the defaults cover inbox and e-mail).
"""
import importlib

from .base import Channel
from .robots import DingTalkChannel, WeComChannel
from .smtp import SmtpChannel
from .webhook import WebhookChannel

CHANNEL_TYPES = {
    "smtp": SmtpChannel,
    "webhook": WebhookChannel,
    "dingtalk": DingTalkChannel,
    "wecom": WeComChannel,
}


class ChannelConfigError(ValueError):
    """A channel entry of the configuration cannot be built; the message names it."""


def register_channel_type(type_name, factory):
    """Make ``type: <type_name>`` build ``factory(config, name)``."""
    if not callable(factory):
        raise TypeError(f"channel factory for {type_name!r} is not callable")
    CHANNEL_TYPES[type_name] = factory


def channel_factory(type_name):
    if type_name in CHANNEL_TYPES:
        return CHANNEL_TYPES[type_name]
    if isinstance(type_name, str) and ":" in type_name:
        module_name, _, attr = type_name.partition(":")
        try:
            module = importlib.import_module(module_name)
            return getattr(module, attr)
        except (ImportError, AttributeError) as error:
            raise ChannelConfigError(f"channel type {type_name!r} cannot be imported: {error}") from error
    known = ", ".join(sorted(CHANNEL_TYPES))
    raise ChannelConfigError(f"unknown channel type {type_name!r}; known: {known}, or 'package.module:Class'")


def build_channel(name, config):
    config = dict(config or {})
    type_name = config.pop("type", name)
    factory = channel_factory(type_name)
    try:
        channel = factory(config, name)
    except (ValueError, TypeError, KeyError) as error:
        raise ChannelConfigError(f"channel {name!r} ({type_name}): {error}") from error
    for attribute in ("name", "send"):
        if not hasattr(channel, attribute):
            raise ChannelConfigError(f"channel {name!r} ({type_name}) has no {attribute!r}")
    return channel


def build_channels(configs, extra=None):
    """{name: Channel} from the ``channels`` mapping (entries with ``enabled: false`` are
    skipped), plus ``extra`` ready-made channels such as the inbox."""
    channels = {}
    for name, config in (configs or {}).items():
        if (config or {}).get("enabled", True) is False:
            continue
        config = {k: v for k, v in (config or {}).items() if k != "enabled"}
        channels[name] = build_channel(name, config)
    for channel in (extra or {}).values() if isinstance(extra, dict) else (extra or ()):
        channels[channel.name] = channel
    return channels


def person_channels(channels):
    """Names of the channels planned per user, in configuration order, and their
    address fields: (["inbox", "email"], {"email": "email"}) — the arguments of
    ``planning.plan``'s ``user_channels`` and ``address_fields``."""
    names, fields = [], {}
    for name, channel in channels.items():
        if getattr(channel, "audience", "person") == "person":
            names.append(name)
            if getattr(channel, "address_field", None):
                fields[name] = channel.address_field
    return names, fields


def close_all(channels):
    for channel in channels.values():
        close = getattr(channel, "close", None)
        if close:
            close()


__all__ = ["Channel", "CHANNEL_TYPES", "ChannelConfigError", "register_channel_type", "channel_factory",
           "build_channel", "build_channels", "person_channels", "close_all"]
