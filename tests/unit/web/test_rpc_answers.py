"""Calls asked at once on one proxy (gateway/rpc.py `answers`): every answer is waited
for before an error is raised, so none is left on the proxy for the next request."""
import pytest

from core.errors import Conflict, NotFound, PermissionDenied
from gateway.rpc import answers


class Reply:
    def __init__(self, value=None, error=None):
        self.value, self.error, self.waited = value, error, False

    def result(self):
        self.waited = True
        if self.error:
            raise self.error
        return self.value


def test_answers_by_name_and_an_optional_not_found_is_none():
    replies = {"a": Reply(1), "notice": Reply(error=NotFound("no", "无")), "b": Reply([2])}
    assert answers(replies, optional=("notice",)) == {"a": 1, "notice": None, "b": [2]}


def test_the_first_error_is_raised_once_every_call_has_answered():
    denied = PermissionDenied("no", "无权")
    replies = {"campaign": Reply(error=denied), "results": Reply(error=Conflict("busy", "忙")), "apps": Reply([])}
    with pytest.raises(PermissionDenied) as raised:
        answers(replies)
    assert raised.value is denied and all(r.waited for r in replies.values())
    missing = {"a": Reply(1), "campaign": Reply(error=NotFound("no", "无"))}
    with pytest.raises(NotFound):                  # not optional: raised
        answers(missing, optional=("notice",))
