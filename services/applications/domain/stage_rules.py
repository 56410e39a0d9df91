"""Stages beyond the decision as plain rules: mid-term check (中期检查) and final
evaluation (评估考核 / 结项验收).

A program declares which of the two it has in its `stages`. For an approved
application the applicant reports on a stage while it is open — the mid-term check
first, then the final evaluation once the mid-term check (if declared) passed — and
may replace the report until it is assessed. The campaign admin assesses each stage:
pass, fail, or return (退回) for resubmission — fail and return need a comment (the
reason the applicant reads). A returned stage is open again: the applicant replaces
the report (and its files) and it waits for a new assessment; pass and fail are
final unless revised (`revise` with a comment). When the program's setting `expected_outputs_field` names a
form field holding the expected outputs (预期成果, a list of {"id", "description"}),
the final report must address each of them.
"""
from core.errors import Conflict, NotFound, field_error, invalid

STAGES = ("midterm", "final_evaluation")
STAGE_ZH = {"midterm": "中期检查", "final_evaluation": "评估考核（结项验收）"}
RESULTS = ("pass", "fail", "return")
MAX_FILES = 5
# What a stage report may carry (core/uploads.check_upload's spec): the 中期检查报告,
# 结题报告, 工作案例, activity photos. One kind for every program: none declares its own.
FILE_SPEC = {"kind": "stage_file", "label_zh": "阶段材料", "label_en": "Stage material",
             "types": ["pdf", "doc", "docx", "jpg", "png"], "max_count": MAX_FILES}
MAX_SUMMARY = 5000
MAX_COMMENT = 1000
MAX_EVIDENCE = 1000


def declared(program_stages):
    """The post-decision stages a program declares, in their order."""
    return [s for s in STAGES if s in (program_stages or [])]


def awards_at(program_stages):
    """When titles are granted: at "final_list" unless the program has a final
    evaluation, then at "final_evaluation" (when it passes)."""
    return "final_evaluation" if "final_evaluation" in (program_stages or []) else "final_list"


def require_declared(stage, stages):
    if stage not in stages:
        raise NotFound(
            f"This program has no stage {stage!r}; its stages: {', '.join(stages) or '(none)'}.",
            f"本项目没有该阶段：{stage}；本项目的阶段：{'、'.join(STAGE_ZH[s] for s in stages) or '无'}",
            field="stage")


def _result(doc):
    return ((doc or {}).get("assessment") or {}).get("result")


def stage_status(stage, stages, app_state, docs):
    """"waiting" (the application is not approved or an earlier stage has not
    passed), "open" (reports accepted), "returned" (returned for resubmission:
    reports accepted again), "assessed" (passed or failed) or "failed_earlier"."""
    if app_state != "approved":
        return "waiting"
    for earlier in stages[:stages.index(stage)]:
        result = _result(docs.get(earlier))
        if result == "fail":
            return "failed_earlier"
        if result != "pass":
            return "waiting"
    result = _result(docs.get(stage))
    if result == "return":
        return "returned"
    return "assessed" if result else "open"


def progress(status, doc):
    """What a reader sees of one stage: "waiting" (未开始), "failed_earlier",
    "to_submit" (待提交), "submitted" (待审核), "returned" (退回), "passed" (通过) or
    "failed" (未通过)."""
    if status in ("waiting", "failed_earlier", "returned"):
        return status
    if status == "assessed":
        return "passed" if _result(doc) == "pass" else "failed"
    return "submitted" if (doc or {}).get("report") else "to_submit"


def next_step(items):
    """The applicant's next step over the stages' views ({"stage", "progress"}):
    {"action": "submit" | "resubmit" | "await", "stage"}, {"action": "done"} when
    every stage passed, {"action": "closed"} after a fail, None before the first
    stage opens."""
    for item in items:
        state = item["progress"]
        if state == "to_submit":
            return {"action": "submit", "stage": item["stage"]}
        if state == "returned":
            return {"action": "resubmit", "stage": item["stage"]}
        if state == "submitted":
            return {"action": "await", "stage": item["stage"]}
        if state in ("failed", "failed_earlier"):
            return {"action": "closed", "stage": item["stage"]}
        if state == "waiting":
            return None
    return {"action": "done"} if items else None


def require_reportable(stage, stages, app_state, docs):
    """Raises NotFound for an undeclared stage, Conflict when the stage is not open."""
    require_declared(stage, stages)
    status = stage_status(stage, stages, app_state, docs)
    if status in ("open", "returned"):
        return
    if app_state != "approved":
        raise Conflict("Stage reports are for approved applications.", "只有已批准的项目才能提交阶段报告",
                       field="state")
    if status == "assessed":
        raise Conflict(f"The {stage} stage was already assessed; its report can no longer change.",
                       f"{STAGE_ZH[stage]}已评定，报告不能再修改", field="stage")
    earlier = stages[stages.index(stage) - 1]
    raise Conflict(f"The {stage} stage opens once {earlier} has passed.",
                   f"须{STAGE_ZH[earlier]}通过后才能进行{STAGE_ZH[stage]}", field="stage")


def expected_outputs(form, field):
    """The expected outputs recorded in the application's form field `field`:
    [{"id", "description"}]; entries without an id are ignored."""
    if not field:
        return []
    value = (form or {}).get(field) or []
    if not isinstance(value, list):
        return []
    return [{"id": str(o["id"]), "description": str(o.get("description") or "")}
            for o in value if isinstance(o, dict) and o.get("id") not in (None, "")]


def validate_report(stage, summary, outputs, expected):
    """The cleaned report {"summary", "outputs": [{"id", "achieved", "evidence"}]}.

    Raises ValidationFailed naming every problem: the summary is required (≤ 5000
    characters); an output claimed achieved needs its evidence; for the final
    evaluation every expected output must be addressed (each missing one named) and
    no unknown output may be reported."""
    problems = []
    text = (summary or "").strip()
    if not text:
        problems.append(field_error("summary", "A summary is required.", "须填写报告摘要"))
    elif len(text) > MAX_SUMMARY:
        problems.append(field_error("summary", f"At most {MAX_SUMMARY} characters.", f"不能超过 {MAX_SUMMARY} 个字符"))
    cleaned, seen = [], set()
    for item in outputs or []:
        oid = str(item["id"]).strip()
        evidence = (item.get("evidence") or "").strip()
        if oid in seen:
            problems.append(field_error(f"outputs.{oid}", "Reported twice.", "重复填报"))
        seen.add(oid)
        if item["achieved"] and not evidence:
            problems.append(field_error(f"outputs.{oid}.evidence", "An achieved output needs its evidence.",
                                        "已完成的成果须提供佐证"))
        if len(evidence) > MAX_EVIDENCE:
            problems.append(field_error(f"outputs.{oid}.evidence", f"At most {MAX_EVIDENCE} characters.",
                                        f"不能超过 {MAX_EVIDENCE} 个字符"))
        cleaned.append({"id": oid, "achieved": bool(item["achieved"]), "evidence": evidence})
    if stage == "final_evaluation" and expected:
        known = {o["id"] for o in expected}
        for output in expected:
            if output["id"] not in seen:
                problems.append(field_error(
                    f"outputs.{output['id']}", f"Expected output not addressed: {output['description']}",
                    f"预期成果未在报告中说明：{output['description']}"))
        for oid in sorted(seen - known):
            problems.append(field_error(f"outputs.{oid}", "Not one of the application's expected outputs.",
                                        "不是申报书中的预期成果"))
    if problems:
        raise invalid(problems)
    return {"summary": text, "outputs": cleaned}


def unmet(report, expected):
    """Ids of expected outputs the report says were not achieved (for the assessor)."""
    achieved = {o["id"] for o in (report or {}).get("outputs", []) if o.get("achieved")}
    return [o["id"] for o in expected if o["id"] not in achieved]


def plan_assessment(stage, stages, app_state, docs, result, comment, revise):
    """The assessment {"result", "comment", "revised"} or raises: NotFound (stage),
    Conflict (no report yet, already assessed without `revise`, a passed final
    evaluation — its awards are granted — or a mid-term check after the final
    evaluation was assessed), ValidationFailed (result, comment)."""
    require_declared(stage, stages)
    if app_state != "approved":
        raise Conflict("Stages are assessed for approved applications.", "只有已批准的项目才能评定阶段",
                       field="state")
    doc = docs.get(stage) or {}
    if not doc.get("report"):
        raise Conflict(f"No {stage} report has been submitted yet.", f"尚未提交{STAGE_ZH[stage]}报告", field="stage")
    problems = []
    if result not in RESULTS:
        problems.append(field_error("result", "Must be pass, fail or return.",
                                    "须为 pass（通过）、fail（不通过）或 return（退回修改）"))
    text = (comment or "").strip()
    if result == "fail" and not text:
        problems.append(field_error("comment", "A comment is required for fail.", "评定不通过须填写意见"))
    if result == "return" and not text:
        problems.append(field_error("comment", "A reason is required to return the report.",
                                    "退回修改须填写理由，申报人据此修改后重新提交"))
    if result == "return" and revise:
        problems.append(field_error("result", "An assessment cannot be revised into a return.",
                                    "已评定的阶段不能改为退回"))
    if revise and not text:
        problems.append(field_error("comment", "A revision needs a comment.", "修改评定结果须填写意见"))
    if len(text) > MAX_COMMENT:
        problems.append(field_error("comment", f"At most {MAX_COMMENT} characters.", f"不能超过 {MAX_COMMENT} 个字符"))
    if problems:
        raise invalid(problems)
    previous = _result(doc)
    if previous == "return":
        raise Conflict(f"The {stage} report was returned; it is assessed again once the applicant resubmits it.",
                       f"{STAGE_ZH[stage]}报告已退回，须申报人重新提交后再评定", field="stage",
                       details={"result": previous})
    if previous and not revise:
        raise Conflict(f"The {stage} stage was already assessed ({previous}); send revise with a comment to change it.",
                       f"{STAGE_ZH[stage]}已评定；如需修改请注明 revise 并填写意见", field="stage",
                       details={"result": previous})
    if revise and not previous:
        raise Conflict("There is no assessment to revise.", "尚无可修改的评定结果", field="revise")
    if previous == "pass" and stage == "final_evaluation":
        raise Conflict("A passed final evaluation granted the titles; it cannot be revised.",
                       "评估考核已通过并已授予荣誉称号，不能修改", field="stage")
    later = stages[stages.index(stage) + 1:]
    if previous and any(_result(docs.get(s)) for s in later):
        raise Conflict("A later stage was already assessed; this one can no longer be revised.",
                       "后续阶段已评定，本阶段评定不能再修改", field="stage")
    return {"result": result, "comment": text or None, "revised": bool(previous)}

