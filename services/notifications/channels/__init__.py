"""Delivery channels behind one interface (``Channel.send(message) -> DeliveryResult``).

See ``base`` for the interface and message shape, ``registry`` for configuration and
for adding a university's own channel.
"""
from .base import Channel, DeliveryResult, InboxChannel, InboxStore, MemoryInboxStore
from .registry import (
    CHANNEL_TYPES, ChannelConfigError, build_channel, build_channels, close_all, person_channels,
    register_channel_type,
)
from .robots import DingTalkChannel, WeComChannel
from .smtp import SmtpChannel
from .webhook import WebhookChannel

__all__ = [
    "Channel", "DeliveryResult", "InboxChannel", "InboxStore", "MemoryInboxStore", "SmtpChannel",
    "WebhookChannel", "DingTalkChannel", "WeComChannel", "CHANNEL_TYPES", "ChannelConfigError",
    "build_channel", "build_channels", "close_all", "person_channels", "register_channel_type",
]
