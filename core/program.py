"""The program contract: what a program plugin declares (创先争优 项目类型).

A program is a package under ``plugins/`` exposing a `Program` on the entry-point
group ``chuangxian.programs``. It is data where data can say it — applicant kind,
form, attachments, stages, settings, and (for later services) criteria, quota rules
and funding tiers — and `ProgramHooks` where only code can (eligibility, vetoes,
cross-program facts). Shared services never import a plugin: they receive
`Program.declaration()` over RPC and call the hooks over RPC.
"""
import hashlib
import json
from dataclasses import dataclass, field

from core.declaration import APPLICANT_KINDS
from core.forms import form_json_schema, validate_form
from core.hookspec import check_hooks_class
from core.labels import register as register_labels


class ProgramHooks:
    """Code a program needs where data cannot say it. Override what you need: the
    hooks and what they return are specified in `core.hookspec`, which checks every
    subclass when it is created (an unknown hook name or a wrong signature is a
    TypeError naming it). These methods are the default behaviour."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        check_hooks_class(cls)

    def validate_application(self, form, context):
        return []

    def check_eligibility(self, context):
        return []

    def scoring_inputs(self, context):
        return {"applications": {}, "population": None}

    def award_titles(self, context):
        """Default: the program's title, with the grade's name when the list is graded."""
        entry = context.get("entry") or {}
        campaign = context.get("campaign") or {}
        program = context.get("program") or {}
        title = program.get("title_zh") or campaign.get("program", "")
        if entry.get("grade_name_zh"):
            title = f"{title}（{entry['grade_name_zh']}）"
        code = entry.get("grade") or "award"
        level = campaign.get("level") or "school"
        return [{"code": code, "title": title, "title_en": program.get("title_en") or title, "level": level,
                 "category": entry.get("category")}]

    # -- facts ----------------------------------------------------------------
    records = None    # a core.records_client.RecordsClient while a hook runs (see bind)
    directory = None  # a core.directory_client.DirectoryClient while a hook runs

    def bind(self, records, directory=None):
        """A copy of these hooks that asks `records` (history and facts) and
        `directory` (units and people) for what it needs; the program service binds
        one per call."""
        import copy
        bound = copy.copy(self)
        bound.records = records
        bound.directory = directory
        return bound


@dataclass
class Program:
    """One program's declaration. `name` is the entry-point name (snake_case)."""

    name: str
    title_zh: str
    title_en: str
    applicant_kind: str
    form: type
    stages: list
    settings: dict = field(default_factory=dict)
    # How each setting is shown and checked on a campaign's settings form
    # (core/settings_spec.py): {key: {"label_zh", "label_en", "minimum", "maximum", "choices", "parts", "fixed"}}
    settings_spec: dict = field(default_factory=dict)
    attachments: list = field(default_factory=list)
    criteria: dict | None = None          # scoring service (criteria tree)
    quota_rules: list | None = None       # scoring service (selection)
    scoring: dict | None = None           # scoring service (aggregation, tie-breaks, reviewers, vetoes)
    funding: dict | None = None           # funding service (tiers, caps, materials)
    fact_kinds: list = field(default_factory=list)   # records service: kinds of fact this program reads
    # Raters the platform does not have (core/declaration/rater_roles.py): granted and
    # scored as "<name>:<key>"; criteria leaves name them by that key (core.declaration.rater_role_key).
    rater_roles: list = field(default_factory=list)
    hooks: ProgramHooks = field(default_factory=ProgramHooks)
    # Bump when the hooks' behaviour changes; hooks read the revision of the version a
    # campaign pinned in context["program"]["revision"] and may keep older behaviour.
    revision: int = 1

    def __post_init__(self):
        if self.applicant_kind not in APPLICANT_KINDS:
            raise ValueError(f"{self.name}: applicant_kind must be one of {APPLICANT_KINDS}")
        # A program names itself: its titles are its label on every page and document.
        register_labels("program", {self.name: (self.title_zh, self.title_en)})

    def declaration(self):
        """The JSON registered with the shared services, with its `version`: a
        fingerprint of everything declared, so any change yields a new version
        and an open campaign keeps the version it pinned."""
        body = {
            "name": self.name,
            "revision": self.revision,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "applicant_kind": self.applicant_kind,
            "form_schema": form_json_schema(self.form),
            "attachments": self.attachments,
            "stages": self.stages,
            "settings": self.settings,
            "settings_spec": self.settings_spec,
            "criteria": self.criteria,
            "quota_rules": self.quota_rules,
            "scoring": self.scoring,
            "funding": self.funding,
            "fact_kinds": self.fact_kinds,
        }
        if self.rater_roles:   # only when declared: the versions of programs without any stay as they were
            body["rater_roles"] = self.rater_roles
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        body["version"] = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
        return body

    def validate(self, form, context, partial=False):
        """Form schema, then the hook. Returns (cleaned, errors)."""
        cleaned, errors = validate_form(self.form, form, partial=partial)
        if errors:
            return None, errors
        extra = self.hooks.validate_application(cleaned, dict(context, partial=partial))
        return (None, extra) if extra else (cleaned, [])
