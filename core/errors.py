"""Typed errors shared by every service, plugin and the gateway.

Plain Python: domain modules raise these; `core.rpc_errors` registers them with
Nameko so they cross RPC as the same class, and the gateway maps each `code` to an
HTTP status in one table (`gateway/errors.py`).

Every error carries a message in Chinese and English, because a person reads it,
and optionally the field it is about and structured details (e.g. a list of
per-field errors, the remaining amount of a grant).
"""
import json


class ChuangxianError(Exception):
    """Base of every expected, typed failure. Unexpected failures are not these."""

    code = "error"

    def __init__(self, message_en="", message_zh="", field=None, details=None):
        super().__init__(message_en)
        self.message_en = message_en
        self.message_zh = message_zh or message_en
        self.field = field
        self.details = details
        # Nameko sends `args` and stringifies every scalar in them (a row number 3
        # would arrive as "3", None as "None"), so the one arg is this error as JSON;
        # `from_wire` rebuilds it on the far side (core/rpc_errors.py).
        self.args = (self.wire(),)

    def wire(self):
        return json.dumps({"message_en": self.message_en, "message_zh": self.message_zh,
                           "field": self.field, "details": self.details}, ensure_ascii=False, default=str)

    @classmethod
    def from_wire(cls, text):
        return cls(**json.loads(text))

    def to_dict(self):
        body = {"code": self.code, "message": self.message_en, "message_zh": self.message_zh}
        if self.field is not None:
            body["field"] = self.field
        if self.details is not None:
            body["details"] = self.details
        return body

    def __str__(self):
        return f"{self.message_en} / {self.message_zh}"


class ValidationFailed(ChuangxianError):
    """Input is malformed or breaks a rule; `details` is a list of
    {"field", "message", "message_zh"} when several fields are wrong."""

    code = "validation_failed"


class BadRequest(ChuangxianError):
    """The request itself is malformed (a header, the body's JSON syntax), not a field's value."""

    code = "bad_request"


class NotFound(ChuangxianError):
    code = "not_found"


class Unauthenticated(ChuangxianError):
    code = "unauthenticated"


class PermissionDenied(ChuangxianError):
    """The actor's role or unit scope does not allow this."""

    code = "permission_denied"


class InvalidTransition(ChuangxianError):
    """The state machine has no such step from the current state."""

    code = "invalid_transition"


class Conflict(ChuangxianError):
    """A uniqueness or concurrency invariant would break (e.g. one project per branch)."""

    code = "conflict"


class DeadlinePassed(ChuangxianError):
    """A window (application, review, objection, closing) is not open now."""

    code = "deadline_passed"


class QuotaExceeded(ChuangxianError):
    code = "quota_exceeded"


class BudgetExceeded(ChuangxianError):
    """A grant or claim would exceed a budget, a tier cap or a grant's balance."""

    code = "budget_exceeded"


class RateLimited(ChuangxianError):
    code = "rate_limited"


class PayloadTooLarge(ChuangxianError):
    code = "payload_too_large"


class UnsupportedMediaType(ChuangxianError):
    code = "unsupported_media_type"


class ProgramNotAvailable(ChuangxianError):
    """A program is unknown, not installed or not enabled."""

    code = "program_not_available"


class CampusSignInUnavailable(ChuangxianError):
    """The campus CAS or LDAP server did not answer (a 503: try again later)."""

    code = "campus_sign_in_unavailable"


class PasswordChangeRequired(PermissionDenied):
    """The person must change their password before doing anything else."""

    code = "password_change_required"


class ServiceUnavailable(ChuangxianError):
    """A service (or the message broker between services) cannot be reached now:
    nothing was changed by this request, or the change was kept and a retry with the
    same Idempotency-Key returns it. The gateway answers 503 with Retry-After."""

    code = "service_unavailable"


class ProgramNotAnswering(ServiceUnavailable):
    """A program's own process is dead, slow or at its share of workers: only that
    program's requests fail; `details` carries {"program": name}."""

    code = "program_not_answering"


def program_not_answering(name, title_zh=None, title_en=None):
    """ProgramNotAnswering naming the program by its titles (its name when unknown)."""
    zh, en = title_zh or name, title_en or title_zh or name
    return ProgramNotAnswering(f"The program {en} is not answering; try again in a little while.",
                               f"项目「{zh}」的服务暂不可用，请稍后重试", field="program",
                               details={"program": name})


ALL_ERRORS = (
    ChuangxianError, ValidationFailed, BadRequest, NotFound, Unauthenticated, PermissionDenied,
    InvalidTransition, Conflict, DeadlinePassed, QuotaExceeded, BudgetExceeded,
    RateLimited, PayloadTooLarge, UnsupportedMediaType, ProgramNotAvailable,
    CampusSignInUnavailable, PasswordChangeRequired,
    ServiceUnavailable, ProgramNotAnswering,
)


def field_error(field, message_en, message_zh):
    """One entry of ValidationFailed.details."""
    return {"field": field, "message": message_en, "message_zh": message_zh}


def invalid(errors):
    """ValidationFailed for a list of field_error entries (at least one)."""
    first = errors[0]
    en = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    zh = "；".join(f"{e['field']}：{e['message_zh']}" for e in errors)
    return ValidationFailed(en, zh, field=first["field"], details=errors)
