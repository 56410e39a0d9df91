"""What crosses the wire into the notifications service (RPC and, reused by the
gateway, HTTP). marshmallow 4; the domain then checks meaning (known event types,
channels, placeholders) with bilingual messages."""
from marshmallow import Schema, fields, validate

from .domain.deliveries import STATES
from .domain.templates import LANGS


class InboxQuery(Schema):
    unread = fields.Boolean(load_default=False, metadata={"description": "Only unread items"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    before = fields.String(load_default=None, validate=validate.Length(1, 40),
                           metadata={"description": "ISO 8601: items created before this (paging)"})
    before_id = fields.String(load_default=None, validate=validate.Length(1, 128),
                              metadata={"description": "The last item's id: the page after it (paging; "
                                                       "takes precedence over before)"})


class MarkRead(Schema):
    ids = fields.List(fields.String(validate=validate.Length(1, 128)), load_default=None,
                      validate=validate.Length(max=1000),
                      metadata={"description": "Item ids; omit to mark every unread item read"})


class PreferencesPatch(Schema):
    lang = fields.String(validate=validate.OneOf(LANGS))
    channels = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True),
                           metadata={"description": "Global switch per channel, e.g. {\"email\": false}"})
    events = fields.Dict(keys=fields.String(), values=fields.Raw(),
                         metadata={"description": "Per event: {\"application.decided\": {\"email\": true}}; "
                                                  "null for a channel goes back to the default"})


class SubscriptionInput(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 100))
    channel = fields.String(load_default="webhook", validate=validate.Length(1, 40),
                            metadata={"description": "webhook, dingtalk or wecom"})
    url = fields.String(required=True, validate=validate.Length(8, 2000))
    event_types = fields.List(fields.String(), required=True, validate=validate.Length(1, 50))
    programs = fields.List(fields.String(), load_default=None,
                           metadata={"description": "Only these programs; omit for all"})
    lang = fields.String(load_default="zh", validate=validate.OneOf(LANGS))
    secret = fields.String(load_default=None, validate=validate.Length(8, 200),
                           metadata={"description": "DingTalk 加签 secret; webhooks get a generated one"})
    options = fields.Dict(load_default=dict, metadata={"description": "Robot options: msgtype, at_mobiles, keyword…"})


class TemplateInput(Schema):
    event_type = fields.String(required=True, validate=validate.Length(1, 60))
    lang = fields.String(required=True, validate=validate.OneOf(LANGS))
    program = fields.String(load_default=None, validate=validate.Length(1, 60),
                            metadata={"description": "Only for this program; omit for every program"})
    subject = fields.String(required=True)
    body = fields.String(required=True)


class TemplateQuery(Schema):
    event_type = fields.String(load_default=None)
    program = fields.String(load_default=None)


class DeliveryQuery(Schema):
    event_id = fields.String(load_default=None)
    event_type = fields.String(load_default=None)
    state = fields.String(load_default=None, validate=validate.OneOf(STATES))
    channel = fields.String(load_default=None)
    recipient = fields.String(load_default=None)
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))
    skip = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000))
