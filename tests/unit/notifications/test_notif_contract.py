import copy

import pytest
import yaml

from core.envelope import make_event
from core.errors import ValidationFailed
from services.notifications.domain import contract as ct
from services.notifications.domain.catalog import APPLICATIONS, EVENTS, FUNDING, PUBLIC_EVENTS

REQUIRED_PUBLIC = {"application.submitted", "application.decided", "notice.published", "notice.closed",
                   "award.granted", "grant.awarded", "project.closed"}


@pytest.fixture(scope="module")
def contract():
    return ct.load()


def examples(contract):
    for name, message in contract.document["components"]["messages"].items():
        for example in message.get("examples", ()):
            yield name, example["payload"]


def test_document_is_asyncapi_with_amqp_bindings(contract):
    doc = contract.document
    assert doc["asyncapi"].startswith("2.6")
    assert set(contract.event_types()) == REQUIRED_PUBLIC == set(PUBLIC_EVENTS)
    for channel in contract.channels():
        assert channel["versions"] == [1]
        assert channel["exchange"] == EVENTS[channel["event_type"]].exchange
        binding = doc["channels"][channel["event_type"]]["bindings"]["amqp"]
        assert binding["is"] == "routingKey" and binding["exchange"]["type"] == "topic"
        assert binding["exchange"]["durable"] is True
        assert "at-least-once" in doc["channels"][channel["event_type"]]["x-delivery-guarantee"]
    assert contract.exchange("grant.awarded") == FUNDING and contract.exchange("award.granted") == APPLICATIONS
    description = doc["info"]["description"]
    assert "campus-finance.grant-events" in description and "funding.events" in description
    assert "At least once" in description


def test_catalog_and_contract_agree_on_data_fields(contract):
    for event_type in PUBLIC_EVENTS:
        spec = EVENTS[event_type]
        declared, required = contract.data_properties(event_type, 1)
        assert declared == set(spec.fields) | set(spec.lists) | set(spec.recipient_fields), event_type
        assert required == (set(spec.fields) - set(spec.optional)) | set(spec.lists), event_type


def test_every_example_is_valid(contract):
    seen = set()
    for name, payload in examples(contract):
        assert contract.validate(payload) == [], name
        seen.add(payload["type"])
    assert seen == REQUIRED_PUBLIC


def test_envelope_from_core_validates(contract):
    event = make_event("grant.awarded", {"grant_id": "g1", "campaign_id": "c1", "project_id": "p1", "tier": "key",
                                         "amount_fen": 100000, "lead_user_ids": ["u1"], "future_field": "ok"},
                       "funding", actor=None)
    assert ct.validate(event, contract) == []
    ct.check(event, contract)


def test_violations_are_reported_with_paths(contract):
    _, good = next((n, p) for n, p in examples(contract) if p["type"] == "grant.awarded")
    bad = copy.deepcopy(good)
    bad["data"]["amount_fen"] = 12.5
    del bad["data"]["tier"]
    bad["occurred_at"] = "2024-10-08 10:30"
    bad["extra"] = 1
    errors = contract.validate(bad)
    assert "$.data.amount_fen: expected integer, got number" in errors
    assert "$.data.tier: required" in errors
    assert any(e.startswith("$.occurred_at:") for e in errors)
    assert "$.extra: not allowed here" in errors
    with pytest.raises(ValidationFailed) as caught:
        ct.check(bad, contract)
    assert caught.value.details == errors


def test_value_rules(contract):
    _, decided = next((n, p) for n, p in examples(contract) if p["type"] == "application.decided")
    withdrawn = copy.deepcopy(decided)
    withdrawn["data"]["state"] = "withdrawn"
    assert any("must be one of ['approved', 'rejected']" in e for e in contract.validate(withdrawn))
    _, award = next((n, p) for n, p in examples(contract) if p["type"] == "award.granted")
    wrong = copy.deepcopy(award)
    wrong["data"]["recipient_kind"] = "teacher"
    wrong["data"]["academic_year"] = "2024"
    wrong["version"] = True
    errors = contract.validate(wrong)
    assert any(e.startswith("$.data.recipient_kind") for e in errors)
    assert any(e.startswith("$.data.academic_year") for e in errors)
    _, notice = next((n, p) for n, p in examples(contract) if p["type"] == "notice.published")
    broken = copy.deepcopy(notice)
    broken["data"]["entries"][1] = {"application_id": 7}
    errors = contract.validate(broken)
    assert "$.data.entries[1].application_id: expected string, got integer" in errors
    assert "$.data.entries[1].applicant_name: required" in errors


def test_unknown_type_or_version(contract):
    assert contract.validate({"type": "claim.submitted", "version": 1}) == [
        "$.type: 'claim.submitted' is not an event of the public contract"]
    assert "not in the contract" in contract.validate({"type": "grant.awarded", "version": 2})[0]
    assert contract.validate([]) == ["$: the envelope must be a JSON object"]


def test_a_second_version_is_picked_up(tmp_path, contract):
    doc = copy.deepcopy(contract.document)
    v2 = copy.deepcopy(doc["components"]["schemas"]["GrantAwardedV1"])
    v2["allOf"][1]["properties"]["version"] = {"const": 2}
    v2["allOf"][1]["properties"]["data"]["required"].append("currency")
    doc["components"]["schemas"]["GrantAwardedV2"] = v2
    doc["components"]["messages"]["GrantAwardedV2"] = {"name": "grant.awarded",
                                                       "payload": {"$ref": "#/components/schemas/GrantAwardedV2"}}
    doc["channels"]["grant.awarded"]["subscribe"]["message"] = {"oneOf": [
        {"$ref": "#/components/messages/GrantAwardedV1"}, {"$ref": "#/components/messages/GrantAwardedV2"}]}
    path = tmp_path / "asyncapi.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    two = ct.load(path)
    assert two.versions("grant.awarded") == [1, 2]
    _, good = next((n, p) for n, p in examples(contract) if p["type"] == "grant.awarded")
    assert two.validate(good) == []
    assert two.validate({**good, "version": 2}) == ["$.data.currency: required"]
