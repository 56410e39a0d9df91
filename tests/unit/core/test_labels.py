"""The one label catalogue (core/labels.py): every code a program or service can show
has a Chinese and an English label, and the formatting of weights and totals."""
import re

import pytest

from core import labels
from core.programs import installed_programs

_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _programs():
    out = []
    for ep in installed_programs().values():
        loaded = ep.load()
        out.extend(loaded if isinstance(loaded, (list, tuple)) else [loaded])
    return out


def _enums(schema, path=""):
    for name, prop in (schema.get("properties") or {}).items():
        for values in (prop.get("enum"), (prop.get("items") or {}).get("enum")):
            for value in values or []:
                yield f"{path}{name}", value
        if prop.get("type") == "object" or "properties" in prop:
            yield from _enums(prop, f"{path}{name}.")
        items = prop.get("items") or {}
        if "properties" in items:
            yield from _enums(items, f"{path}{name}.")


def test_label_in_both_languages_and_unknown_codes_never_raise():
    assert labels.label("state", "college_approved") == "学院已通过"
    assert labels.label("state", "college_approved", "en") == "Approved by the college"
    assert labels.pair("tier", "featured") == ("特色", "Featured")
    assert labels.label("state", "no_such_state") == "no such state"
    assert labels.label("state", None) == ""
    assert labels.label_any("utility_model") == "实用新型专利"
    assert labels.label_any("secretary", prefer=("post",)) == "书记"
    assert labels.label_any("secretary", prefer=("lead_role",)) == "支部书记"
    assert "utility_model" in labels.KNOWN_CODES and "男" not in labels.KNOWN_CODES


def test_a_code_cannot_get_two_labels():
    labels.register("test_vocabulary", {"x": ("甲", "X")})
    labels.register("test_vocabulary", {"x": ("甲", "X")})  # the same again is fine
    with pytest.raises(ValueError):
        labels.register("test_vocabulary", {"x": ("乙", "Y")})
    del labels.VOCABULARIES["test_vocabulary"]


def test_weights_and_totals_read_as_people_write_them():
    assert labels.percent(100 / 6) == "16.7%"
    assert labels.percent(1, total=6) == "16.7%"
    assert labels.percent(25) == "25%"
    assert labels.number(87.33333) == "87.33"
    assert labels.number(90.0) == "90"
    assert labels.number(None) == ""


def test_every_option_of_every_installed_program_form_has_a_label():
    """A form's <select> shows the catalogue's label: an ASCII option without one
    would reach a person as a code."""
    missing = []
    for program in _programs():
        declaration = program.declaration()
        for field, value in _enums(declaration["form_schema"]):
            if _CHINESE.search(str(value)):
                continue  # the option is already Chinese text (themes, topics)
            name = field.rsplit(".", 1)[-1]
            if labels.label_any(value, "zh", (name,)) == labels._humanise(value):
                missing.append(f"{program.name}:{field}={value}")
    assert not missing, missing


def test_grades_tiers_and_programs_of_every_installed_program_have_labels():
    missing = []
    for program in _programs():
        if not labels.is_known("program", program.name):
            missing.append(f"program {program.name}")
        for tier in (program.funding or {}).get("tiers", []):
            if not labels.is_known("tier", tier["code"]):
                missing.append(f"tier {tier['code']}")
        rules = program.quota_rules or []
        if isinstance(rules, dict):  # per level (college, school)
            rules = [r for level in rules.values() for r in level]
        for rule in rules:
            for grade in rule.get("grades", []):
                if not labels.is_known("tier", grade["name"]):
                    missing.append(f"grade {grade['name']}")
                elif grade.get("name_zh"):
                    assert labels.label("tier", grade["name"]) == grade["name_zh"]
    assert not missing, missing


def test_dorm_type_labels_agree_with_the_plugin():
    from plugins.civilized_dorms.dorm_types import DORM_TYPES
    for code, names in DORM_TYPES.items():
        assert labels.pair("dorm_type", code) == (names["name_zh"], names["name_en"])
