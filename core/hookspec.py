"""The hook contract between the shared services and a program (like pluggy's
hookspec module): every hook a program may implement, its parameters, and what it
returns. `core.program.ProgramHooks` holds the default behaviour; a program's
subclass overrides what it needs and is checked against this module when its class
is created (that is, at import):

* a public method whose name is not a hook here is refused with its name (a typo
  such as ``check_eligibilty`` would otherwise be ignored and the default would say
  "eligible"); helpers start with ``_``;
* a hook whose parameters differ from its spec is refused with both signatures.

Every hook is called over RPC, so it takes and returns JSON-friendly values only.
Every ``context`` carries ``context["program"]``: ``{"name", "title_zh", "title_en",
"version", "revision"}`` of the version the campaign pinned when it was opened (not
necessarily the newest), so a program keeps its older behaviour for campaigns
opened under an older revision (``core.program.Program.revision``).
"""
import inspect


def validate_application(self, form, context):
    """Extra cross-field checks after the form schema passed. `context`: {"campaign",
    "applicant", "partial" (a draft: required fields may be missing), "program"}.
    Returns a list of `core.errors.field_error` entries (empty when fine)."""


def check_eligibility(self, context):
    """Whether the applicant may submit in this campaign. `context`: {"applicant" (unit
    or person record), "campaign", "form", "members" (the applying unit's people from
    the directory), "program"}, and ``"preview": True`` when asked before the form is
    filled (the page where a person picks whom to apply for): judge then only what
    does not depend on the form. Returns a list of reasons {"code", "message",
    "message_zh"}; empty means eligible. A reason with ``"blocking": False`` bars one
    choice of the form only (e.g. a dorm type won last year) and is shown as a note."""


def scoring_inputs(self, context):
    """What the scoring service cannot read from score sheets, asked once per
    computation. `context`: {"campaign", "applications": [application views], "program"}.
    Returns {"applications": {application_id: {
                "category": code | [codes] | None,   # dorm types applied for
                "facts": {name: value},              # for veto rules of kind "fact"
                "marks": {leaf_id: value},           # leaves scored by "imported_fact"
                "grades_eligible": [grade names] | None,  # None = every grade
                "units": {name: unit_id}}},          # for per_unit_cap rules
             "population": int | None}               # for percent-of-population quotas
    Absent applications and keys mean "nothing to add"."""


def award_titles(self, context):
    """The titles (荣誉称号) an entry of a final list receives. `context`: {"campaign",
    "application", "entry": {"grade", "grade_name_zh", "category", "category_name_zh",
    "rank", "total"}, "program"}. Returns a list of {"code", "title", "title_en",
    "level", "category"}; titles beyond the first are granted on top of the quota
    (e.g. 退伍军人寝室)."""


SPECS = {f.__name__: f for f in (validate_application, check_eligibility, scoring_inputs, award_titles)}

#: Attributes of `core.program.ProgramHooks` that are not hooks (set by the host).
HOST_ATTRIBUTES = ("bind", "records", "directory")


def parameters(func):
    return [p.name for p in inspect.signature(func).parameters.values()]


def check_hooks_class(cls):
    """Raise TypeError naming every method of `cls` (a ProgramHooks subclass) that
    is not in the contract or whose parameters differ from its spec."""
    problems = []
    for name, value in vars(cls).items():
        if name.startswith("_") or name in HOST_ATTRIBUTES or not callable(value):
            continue
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        spec = SPECS.get(name)
        if spec is None:
            problems.append(f"{cls.__qualname__}.{name} is not a hook of the contract (core/hookspec.py: "
                            f"{', '.join(SPECS)}); name helpers with a leading underscore")
        elif parameters(value) != parameters(spec):
            problems.append(f"{cls.__qualname__}.{name}({', '.join(parameters(value))}) does not match the spec "
                            f"{name}({', '.join(parameters(spec))})")
    if problems:
        raise TypeError("; ".join(problems))
