"""The shared form renderer's rules (gateway/web/schema_form.py): what is set aside
when a draft breaks a rule, labels for error summaries, phone and date inputs, and
times as typed in Chinese offices."""
from gateway.web import schema_form

SCHEMA = {"properties": {
    "title": {"type": "string", "title": "项目名称", "description": "Title", "minLength": 2, "maxLength": 60},
    "phone": {"type": "string", "title": "手机号", "pattern": "^1\\d{10}$"},
    "held_on": {"type": "string", "format": "date", "title": "日期"},
    "advisor": {"type": "object", "title": "指导教师", "properties": {
        "name": {"type": "string", "title": "姓名"}, "phone": {"type": "string", "title": "手机号"}}},
    "outputs": {"type": "array", "title": "预期成果", "items": {"type": "object", "properties": {
        "kind": {"type": "string", "title": "类别", "enum": ["invention", "other"]},
        "title": {"type": "string", "title": "名称"}}}},
}}


def test_a_draft_without_the_refused_values_keeps_everything_else():
    values = {"title": "先锋领航", "phone": "123", "advisor": {"name": "陈老师", "phone": "1"},
              "outputs": [{"kind": "invention", "title": "x"}, {"kind": "other", "title": "专利二"}]}
    kept = schema_form.without(values, ["phone", "advisor.phone", "outputs.0.title"])
    assert kept == {"title": "先锋领航", "advisor": {"name": "陈老师"},
                    "outputs": [{"kind": "invention"}, {"kind": "other", "title": "专利二"}]}
    assert values["phone"] == "123"                          # the typed values are untouched
    assert schema_form.without({"advisor": {"phone": "1"}}, ["advisor.phone"]) == {}


def test_error_summaries_name_fields_by_their_labels():
    fields = schema_form.describe(SCHEMA, {"outputs": [{"kind": "other"}]})
    names = schema_form.labels_of(fields)
    assert names["advisor.phone"] == ("指导教师 · 手机号", "指导教师 · 手机号")
    assert names["outputs.1.title"][0] == "预期成果 第 2 条 · 名称"
    assert names["title"] == ("项目名称", "Title")


def test_phones_are_telephone_inputs_and_dates_read_the_chinese_way():
    kinds = {f["name"]: f["kind"] for f in schema_form.describe(SCHEMA)}
    assert kinds["phone"] == "tel" and kinds["held_on"] == "date"
    assert [f["kind"] for f in schema_form.describe(SCHEMA)[3]["children"]] == ["textarea", "tel"]  # no maxLength: a textarea
    assert schema_form.normalise_time("2026-12-11 17:00") == "2026-12-11T17:00"
    assert schema_form.normalise_time("2026/12/11  17:00") == "2026-12-11T17:00"
    assert schema_form.normalise_time("2026年12月11日") == "2026-12-11"
    assert schema_form.parse(SCHEMA, _Form({"held_on": "2026/10/01"})) == {"held_on": "2026-10-01"}


class _Form(dict):
    def getlist(self, key):
        return [self[key]] if key in self else []
