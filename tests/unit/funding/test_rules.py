"""Funding rules registration: validation, normalisation, versioning by fingerprint."""
import copy

import pytest

from core.errors import ValidationFailed
from services.funding.domain.rules import (DEFAULT_APPROVAL_STEPS, fingerprint, material_kind,
                                           register_rules, rules_from_declaration, tier)

from .support import PILOT_RULES, pilot_rules

# Program 4 (样板支部) as a second, differently shaped example: one tier, its own
# output materials, spending categories, a shorter approval chain.
BENCHMARK_RULES = {
    "program": "benchmark_branches",
    "tiers": [{"code": "benchmark", "name": "样板支部", "cap_fen": 2_000_000,
               "closing_materials": ["closing_report", "experience_writeup", "typical_case"]}],
    "material_kinds": [
        {"code": "experience_writeup", "name": "经验做法", "name_en": "replicable practice"},
        {"code": "typical_case", "name": "典型案例", "name_en": "typical case"},
    ],
    "categories": [{"code": "printing", "name": "印刷资料"}, {"code": "travel", "name": "交通"}],
    "approval_steps": ["college", "finance"],
}


def errors_of(raw):
    with pytest.raises(ValidationFailed) as err:
        register_rules(raw)
    return {d["field"]: d for d in err.value.details}, err.value


def test_pilot_rules_normalise_with_defaults_and_fingerprint():
    rules = pilot_rules()
    assert [t["code"] for t in rules["tiers"]] == ["key", "featured", "general"]
    assert [t["cap_fen"] for t in rules["tiers"]] == [500000, 300000, 100000]
    assert rules["categories"] == [] and rules["material_kinds"] == []
    assert rules["approval_steps"] == ["advisor", "college", "finance"]
    assert len(rules["fingerprint"]) == 64 and rules["fingerprint"] == fingerprint(rules)


def test_default_approval_steps_when_omitted():
    raw = copy.deepcopy(PILOT_RULES)
    del raw["approval_steps"]
    assert register_rules(raw)["approval_steps"] == DEFAULT_APPROVAL_STEPS


def test_fingerprint_is_order_insensitive_for_keys_and_changes_with_content():
    raw = copy.deepcopy(PILOT_RULES)
    shuffled = dict(reversed(list(raw.items())))
    shuffled["tiers"] = [dict(reversed(list(t.items()))) for t in raw["tiers"]]
    assert register_rules(shuffled)["fingerprint"] == pilot_rules()["fingerprint"]
    raw["tiers"][2]["cap_fen"] = 100001
    assert register_rules(raw)["fingerprint"] != pilot_rules()["fingerprint"]
    # re-registering the normalised form (fingerprint included) gives the same version
    again = register_rules({k: v for k, v in pilot_rules().items() if k != "fingerprint"})
    assert again["fingerprint"] == pilot_rules()["fingerprint"]


def test_benchmark_program_declares_its_own_material_kinds():
    rules = register_rules(BENCHMARK_RULES)
    assert material_kind(rules, "typical_case")["name"] == "典型案例"
    assert material_kind(rules, "typical_case")["value"] == "attachment"
    assert material_kind(rules, "closing_report")["name_en"] == "closing report"
    assert material_kind(rules, "nope") is None
    assert rules["approval_steps"] == ["college", "finance"]
    assert [c["code"] for c in rules["categories"]] == ["printing", "travel"]


@pytest.mark.parametrize("mutate, field, words", [
    (lambda r: r["tiers"].append(dict(r["tiers"][0])), "tiers[3].code", "duplicate code key"),
    (lambda r: r["tiers"][0].update(cap_fen=0), "tiers[0].cap_fen", "greater than zero"),
    (lambda r: r["tiers"][0].update(cap_fen=-100), "tiers[0].cap_fen", "greater than zero"),
    (lambda r: r["tiers"][0].update(cap_fen=5000.5), "tiers[0].cap_fen", "integer amount of fen"),
    (lambda r: r["tiers"][0].update(cap_fen=True), "tiers[0].cap_fen", "integer amount of fen"),
    (lambda r: r["tiers"][0].update(cap_fen=10 ** 15), "tiers[0].cap_fen", "at most"),
    (lambda r: r["tiers"][1]["closing_materials"].append("selfie"),
     "tiers[1].closing_materials[3]", "unknown material kind 'selfie'"),
    (lambda r: r["tiers"][2]["closing_materials"].append("closing_report"),
     "tiers[2].closing_materials", "twice"),
    (lambda r: r["tiers"][0].update(colour="red"), "tiers[0].colour", "unknown key"),
    (lambda r: r["tiers"][0].update(code="Key!"), "tiers[0].code", "lower-case code"),
    (lambda r: r["tiers"][0].update(name=""), "tiers[0].name", "1-40 characters"),
    (lambda r: r.update(tiers=[]), "tiers", "at least one tier"),
    (lambda r: r.update(approval_steps=["advisor", "dean"]), "approval_steps[1]", "unknown step"),
    (lambda r: r.update(approval_steps=["advisor", "advisor"]), "approval_steps", "twice"),
    (lambda r: r.update(approval_steps=[]), "approval_steps", "non-empty"),
    (lambda r: r.update(deadlines={"party": {"closes": "closing_deadline"}}),
     "deadlines.party", "unknown action"),
    (lambda r: r.update(deadlines={"file_claim": {"closes": "new_year"}}),
     "deadlines.file_claim.closes", "unknown deadline key"),
    (lambda r: r.update(deadlines={"file_claim": {}}), "deadlines.file_claim", "at least one"),
    (lambda r: r.update(program="Pilot Branches"), "program", "lower-case code"),
    (lambda r: r.update(budget=1), "budget", "unknown key"),
    (lambda r: r.update(categories=[{"code": "a", "name": "甲"}, {"code": "a", "name": "乙"}]),
     "categories[1].code", "duplicate code a"),
    (lambda r: r.update(material_kinds=[{"code": "work_case", "name": "案例"}]),
     "material_kinds[0].code", "built in already"),
    (lambda r: r.update(material_kinds=[{"code": "video", "name": "视频", "value": "mp4"}]),
     "material_kinds[0].value", "attachment or url"),
])
def test_bad_registrations_are_refused_naming_the_field(mutate, field, words):
    raw = copy.deepcopy(PILOT_RULES)
    mutate(raw)
    errors, exc = errors_of(raw)
    assert field in errors, errors
    assert words in errors[field]["message"]
    assert errors[field]["message_zh"]


def test_all_problems_are_reported_at_once():
    raw = copy.deepcopy(PILOT_RULES)
    raw["tiers"][0]["cap_fen"] = -1
    raw["tiers"][1]["closing_materials"] = ["poem"]
    raw["approval_steps"] = ["dean"]
    errors, exc = errors_of(raw)
    assert {"tiers[0].cap_fen", "tiers[1].closing_materials[0]", "approval_steps[0]"} <= set(errors)
    assert "tiers[0].cap_fen" in exc.message_en and "tiers[0].cap_fen" in exc.message_zh


def test_garbage_shapes_do_not_crash():
    for raw in (None, [], {"tiers": "x"}, {"program": "p", "tiers": [1, {"code": ["x"]}]},
                {"program": "p", "tiers": [{"code": "a", "name": "甲", "cap_fen": 1,
                                             "closing_materials": [["closing_report"]]}]}):
        with pytest.raises(ValidationFailed):
            register_rules(raw)


def test_unknown_tier_names_the_known_ones():
    with pytest.raises(ValidationFailed) as err:
        tier(pilot_rules(), "gold")
    assert "unknown tier 'gold'; known tiers: key, featured, general" in err.value.message_en
    assert "重点（key）、特色（featured）、一般（general）" in err.value.message_zh
    assert err.value.field == "tier"
    assert tier(pilot_rules(), "featured")["cap_fen"] == 300000


def test_claim_steps_is_an_alias_of_approval_steps():
    raw = copy.deepcopy(PILOT_RULES)
    raw["claim_steps"] = raw.pop("approval_steps")
    assert register_rules(raw) == pilot_rules()            # same rules, same version
    raw["approval_steps"] = ["college", "finance"]
    errors, _ = errors_of(raw)
    assert "claim_steps" in errors


def test_the_pilot_plugin_declaration_registers():
    # contract test against the real plugin (the domain itself never imports plugins)
    from plugins.pilot_branches.program import PROGRAM
    rules = rules_from_declaration(PROGRAM.declaration())
    assert rules["program"] == "pilot_branches"
    assert {t["code"]: t["cap_fen"] for t in rules["tiers"]} == {
        "key": 500000, "featured": 300000, "general": 100000}
    assert rules["approval_steps"] == ["advisor", "college", "finance"]
    with pytest.raises(ValidationFailed):
        rules_from_declaration({"name": "dorms", "funding": None})
