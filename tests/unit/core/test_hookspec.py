"""Hooks are checked against core/hookspec.py when a hooks class is created."""
import pytest

from core.hookspec import SPECS
from core.program import ProgramHooks


def test_an_unknown_hook_name_is_refused_with_its_name():
    with pytest.raises(TypeError) as refused:
        class Typo(ProgramHooks):
            def check_eligibilty(self, context):   # the default would silently say "eligible"
                return [{"code": "never"}]
    assert "Typo.check_eligibilty is not a hook of the contract" in str(refused.value)


def test_a_wrong_signature_is_refused_with_both_signatures():
    with pytest.raises(TypeError) as refused:
        class Wrong(ProgramHooks):
            def scoring_inputs(self, campaign, applications):
                return {}
    assert "Wrong.scoring_inputs(self, campaign, applications) does not match the spec scoring_inputs(self, " \
           "context)" in str(refused.value)


def test_helpers_with_a_leading_underscore_and_inherited_hooks_are_fine():
    class Base(ProgramHooks):
        def check_eligibility(self, context):
            return self._reasons(context)

        def _reasons(self, context):
            return [] if context["program"]["revision"] >= 2 else [{"code": "old"}]

    class Child(Base):
        def award_titles(self, context):
            return []

    hooks = Child()
    assert hooks.check_eligibility({"program": {"revision": 1}}) == [{"code": "old"}]
    assert hooks.check_eligibility({"program": {"revision": 2}}) == []


def test_every_spec_documents_what_it_returns_and_every_default_exists():
    for name, spec in SPECS.items():
        assert "Returns" in spec.__doc__, name
        assert callable(getattr(ProgramHooks, name))
