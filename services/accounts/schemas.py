"""What crosses the wire into the accounts service (RPC and, reused by the gateway,
HTTP). Passwords are load-only: no schema ever dumps one."""
from marshmallow import Schema, fields, validate

_password = dict(required=True, load_only=True, validate=validate.Length(1, 256))


class Credentials(Schema):
    login = fields.String(required=True, validate=validate.Length(1, 64))
    password = fields.String(required=True, validate=validate.Length(1, 256), load_only=True)
    method = fields.String(load_default="local", validate=validate.OneOf(["local", "ldap"]),
                           metadata={"description": "local password (本地密码) or ldap (统一身份认证 LDAP)"})


class SeedPasswords(Schema):
    passwords = fields.Dict(keys=fields.String(validate=validate.Length(1, 80)),
                            values=fields.String(validate=validate.Length(1, 256)), required=True)


class ChangePassword(Schema):
    current_password = fields.String(**_password, metadata={"description": "当前密码"})
    new_password = fields.String(**_password, metadata={"description": "新密码（至少 8 位，含字母和数字）"})


class SetPassword(Schema):
    password = fields.String(**_password, metadata={"description": "初始密码或新密码（至少 8 位，含字母和数字）"})
    must_change = fields.Boolean(load_default=True,
                                 metadata={"description": "首次登录时须修改密码 (must change at the next log-in)"})


class ResetRequest(Schema):
    login = fields.String(required=True, validate=validate.Length(1, 64), metadata={"description": "学号/工号"})


class ResetInput(Schema):
    token = fields.String(required=True, validate=validate.Length(10, 200), load_only=True)
    new_password = fields.String(**_password)


class IssueReset(Schema):
    channel = fields.String(load_default="link", validate=validate.OneOf(["link", "email"]),
                            metadata={"description": "link: a one-time link for the admin to hand over; email: "
                                                     "sent to the person's address"})


class DisableInput(Schema):
    disabled = fields.Boolean(required=True)
    reason = fields.String(load_default=None, validate=validate.Length(0, 500))


class CasTicket(Schema):
    ticket = fields.String(required=True, validate=validate.Length(3, 256))
    service = fields.String(required=True, validate=validate.Length(8, 1000),
                            metadata={"description": "The service URL the ticket was issued for"})
