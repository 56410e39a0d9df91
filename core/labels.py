"""The one label catalogue: what a person reads for every code the platform stores.

Codes (``college_approved``, ``featured``, ``utility_model``, ``branch_secretary``…)
are for programs and databases; pages, Excel/Word/PDF documents, e-mails and robot
messages show the label instead, Chinese by default and English under the switch.
Every vocabulary lives here, once; a module that needs a label asks this one.

How to use it::

    from core.labels import label, pair, options
    label("state", "college_approved")            # "学院已通过"
    label("state", "college_approved", "en")      # "Approved by the college"
    pair("tier", "featured")                      # ("特色", "Featured")
    options("patent_kind")                        # [("invention", "发明专利", "Invention patent"), ...]
    label_any("utility_model")                    # when the vocabulary is not known (a form's enum)

In Jinja (registered by gateway/web): ``{{ app.state | label('state') }}`` and
``{{ code | label_any }}``; they follow the reader's language.

Guarantees: ``label`` never raises; an unknown code comes back as a humanised
version of itself ("foo_bar" -> "foo bar") rather than an exception, and
``is_known`` says whether it was known, so tests can fail on leaked codes
(``KNOWN_CODES`` lists every ASCII code of the catalogue).
New vocabularies or codes are added to ``VOCABULARIES`` below (or, for a plugin, with
``register`` at import time; a code may not be given two different labels).
"""

import re

LANGS = ("zh", "en")

# vocabulary -> {code: (zh, en)}
VOCABULARIES = {
    # 申报状态 (services/applications/domain/state_machine.py)
    "state": {
        "draft": ("草稿", "Draft"),
        "submitted": ("已提交", "Submitted"),
        "returned": ("已退回", "Returned"),
        "college_approved": ("学院已通过", "Approved by the college"),
        "approved": ("已批准", "Approved"),
        "rejected": ("未通过", "Not approved"),
        "withdrawn": ("已撤回", "Withdrawn"),
        "nominated": ("已推荐", "Nominated"),
    },
    # 活动阶段 (core/campaign_phase.py): the one status every page shows for a campaign
    "campaign_phase": {
        "upcoming": ("未开始", "Not open yet"),
        "applying": ("申报中", "Accepting applications"),
        "checking": ("审核中", "Applications under check"),
        "reviewing": ("评审中", "Under review"),
        "notice": ("公示中", "Public notice"),
        "final": ("已定稿", "Final list confirmed"),
        "implementation": ("实施中", "In implementation"),
        "closed": ("已结项", "Closed"),
        "withdrawn": ("已撤销", "Withdrawn"),
    },
    # 审核操作 and audit-trail actions of every service
    "action": {
        "create": ("创建草稿", "Created the draft"),
        "edit": ("修改", "Edited"),
        "submit": ("提交", "Submitted"),
        "college_approve": ("学院审核通过", "Approved by the college"),
        "return": ("退回修改", "Returned for changes"),
        "approve": ("批准", "Approved"),
        "reject": ("不予通过", "Not approved"),
        "withdraw": ("撤回", "Withdrawn"),
        "reopen": ("重新编辑", "Reopened"),
        "list_approve": ("列入正式名单", "Put on the final list"),
        "list_reject": ("不列入正式名单", "Left off the final list"),
        "nominate": ("推荐", "Nominated"),
        "grant": ("授予荣誉", "Honour granted"),
        "finalise": ("确定正式名单", "Final list confirmed"),
        "publish": ("发布公示", "Notice published"),
        "object": ("提出异议", "Objection raised"),
        "resolve": ("处理异议", "Objection resolved"),
        "report": ("提交阶段报告", "Stage report filed"),
        "revise": ("修改阶段报告", "Stage report revised"),
        "assess": ("阶段考核", "Stage assessed"),
        "assigned": ("分配评审", "Reviewer assigned"),
        "unassigned": ("取消评审分配", "Reviewer unassigned"),
        "conflict_declared": ("声明回避", "Conflict of interest declared"),
        "published": ("发布评审结果", "Results published"),
        "configured": ("设置评审方案", "Scoring set up"),
        "saved": ("保存评分", "Scores saved"),
        "veto": ("一票否决", "Vetoed"),
        "lifted": ("撤销否决", "Veto lifted"),
        "file": ("提交报销", "Claim filed"),
        "pay": ("支付", "Paid"),
        "set_budget": ("设置预算", "Budget set"),
        "open_campaign": ("开启经费管理", "Funding opened"),
        "award_grant": ("立项资助", "Grant awarded"),
        "submit_material": ("提交结项材料", "Closing material submitted"),
        "close_project": ("结项", "Project closed"),
        "changed": ("已修改", "Changed"),
        "changed_by_admin": ("管理员修改", "Changed by an administrator"),
        "reopened": ("重新开放", "Reopened"),
    },
    # 角色 (core/roles.py)
    "role": {
        "school_admin": ("学校管理员", "School administrator"),
        "college_admin": ("学院管理员", "College administrator"),
        "counselor": ("辅导员", "Counselor"),
        "branch_secretary": ("党支部书记", "Branch secretary"),
        "class_monitor": ("班长", "Class monitor"),
        "dorm_leader": ("寝室长", "Dorm leader"),
        "student": ("学生", "Student"),
        "reviewer": ("评审专家", "Reviewer"),
        "finance": ("财务", "Finance office"),
        "advisor": ("指导教师", "Faculty advisor"),
        "lead": ("项目负责人", "Project lead"),
        "college": ("学院", "College"),
        "imported_fact": ("导入数据", "Imported data"),
        "admin": ("管理员", "Administrator"),
    },
    # 评选项目 (program names; a declaration's own title_zh/title_en wins when present)
    "program": {
        "pilot_branches": ("对标争先建设项目", "Pilot branch projects"),
        "civilized_dorms": ("文明寝室", "Civilized dorms"),
        "class_collectives": ("先进班集体", "Advanced class collective"),
        "class_leading_selection": ("学生带班党员选拔", "Class-leading student party members: selection"),
        "class_leading_assessment": ("学生带班党员考核", "Class-leading student party members: year-end assessment"),
        "class_leading_cases": ("学生带班党员优秀案例征集", "Class-leading student party members: case collection"),
        "benchmark_branches": ("党建工作样板支部", "Benchmark party branches"),
    },
    # 立项档次 / 评选等次 (grades of quota rules, funding tiers)
    "tier": {
        "key": ("重点", "Key"),
        "featured": ("特色", "Featured"),
        "general": ("一般", "General"),
        "model": ("标兵", "Model"),
        "excellent": ("优秀", "Excellent"),
        "first": ("一等奖", "First prize"),
        "second": ("二等奖", "Second prize"),
        "third": ("三等奖", "Third prize"),
        "merit": ("优秀奖", "Merit award"),
        "qualified": ("合格", "Qualified"),
        "unqualified": ("不合格", "Not qualified"),
    },
    # 经费：立项与报销状态 (services/funding)
    "funding_status": {
        "active": ("执行中", "Active"),
        "closed": ("已结项", "Closed"),
        "submitted": ("待审批", "Awaiting approval"),
        "approved": ("已批准", "Approved"),
        "paid": ("已支付", "Paid"),
        "returned": ("已退回", "Returned"),
        "rejected": ("未通过", "Rejected"),
        "withdrawn": ("已撤回", "Withdrawn"),
        "reserved": ("已预留", "Reserved"),
        "open": ("进行中", "Open"),
    },
    # 申报主体 / 授奖对象
    "applicant_kind": {
        "class": ("班集体", "Class"),
        "dorm": ("寝室", "Dorm"),
        "person": ("个人", "Person"),
        "branch": ("党支部", "Party branch"),
    },
    "unit_kind": {
        "school": ("学校", "School"),
        "college": ("学院", "College"),
        "class": ("班级", "Class"),
        "dorm": ("寝室", "Dorm"),
        "branch": ("党支部", "Party branch"),
    },
    "level": {
        "class": ("班级", "Class level"),
        "college": ("院级", "College level"),
        "school": ("校级", "School level"),
        "province": ("省级", "Provincial level"),
        "national": ("国家级", "National level"),
        "ministry": ("部级", "Ministry level"),
    },
    # 文明寝室类型 (plugins/civilized_dorms/dorm_types.py keeps the codes)
    "dorm_type": {
        "environment": ("环境优美型", "Beautiful environment"),
        "learning": ("求真学问型", "Pursuit of learning"),
        "party_model": ("党员示范型", "Party-member model"),
        "knowledge_action": ("知行合一型", "Unity of knowing and doing"),
        "research": ("科研创新型", "Research and innovation"),
        "veteran": ("退伍军人寝室", "Veteran dorm"),
    },
    # 知识产权类别 (civilized dorms' research outputs)
    "patent_kind": {
        "invention": ("发明专利", "Invention patent"),
        "utility_model": ("实用新型专利", "Utility model patent"),
        "design": ("外观设计专利", "Design patent"),
        "software_copyright": ("软件著作权", "Software copyright"),
        "other": ("其他", "Other"),
    },
    # 负责人职务 (pilot branches) and 支部职务 (benchmark branches)
    "lead_role": {
        "secretary": ("支部书记", "Branch secretary"),
        "deputy_secretary": ("支部副书记", "Deputy branch secretary"),
    },
    "post": {
        "secretary": ("书记", "Secretary"),
        "deputy_secretary": ("副书记", "Deputy secretary"),
        "committee_member": ("支部委员", "Committee member"),
        "member": ("党员", "Member"),
    },
    # 党支部职责 (plugins/benchmark_branches/duties.py: which duties each branch type has)
    "duty": {
        "policy": ("宣传和执行党的路线方针政策及上级党组织决议", "Promote and carry out the Party's line and the decisions above"),
        "decision_making": ("参与本单位重大问题决策并进行政治把关", "Take part in the unit's major decisions and check them politically"),
        "member_education": ("做好党员教育、管理、监督和服务", "Educate, manage, supervise and serve the members"),
        "recruitment": ("培养教育入党积极分子，做好发展党员工作", "Train activists and admit new members"),
        "teacher_ethics": ("加强师德师风建设，做好思想政治工作", "Build teachers' ethics and do ideological work"),
        "staff_liaison": ("密切联系师生员工，维护其正当权益", "Stay close to staff and students and uphold their rights"),
        "student_guidance": ("加强学生思想政治引领，引导学生全面发展", "Guide students politically and in their all-round growth"),
        "student_liaison": ("密切联系学生群众，服务同学成长", "Stay close to the students and serve them"),
    },
    "branch_type": {
        "faculty": ("教工党支部", "Faculty branch"),
        "student": ("学生党支部", "Student branch"),
    },
    "output_category": {
        "experience": ("可复制、可推广的“一融双高”建设经验做法", "Replicable experience"),
        "landmark": ("党建引领事业高质量发展的标志性成果", "Landmark achievement"),
        "case": ("校级及以上优秀党建工作法、典型案例", "Outstanding method or case"),
        "brand": ("基层党建和思想政治工作特色品牌、载体阵地", "Distinctive brand or platform"),
        "research": ("基层党建研究课题、论文和专著", "Research, papers and books"),
        "other": ("其他", "Other"),
    },
    # 阶段 (stages of a funded project)
    "stage": {
        "application": ("申报", "Application"),
        "midterm": ("中期检查", "Mid-term check"),
        "final_evaluation": ("评估考核（结项验收）", "Final evaluation"),
        "closing": ("结项", "Closing"),
    },
    # 公示与异议
    "objection_decision": {
        "upheld": ("异议成立", "Upheld"),
        "dismissed": ("异议不成立", "Dismissed"),
    },
    "stage_result": {
        "pass": ("通过", "Passed"),
        "fail": ("未通过", "Failed"),
        "return": ("退回修改", "Returned for resubmission"),
    },
    # 阶段考核: what the applicant and the campaign admin read of one stage
    "stage_progress": {
        "waiting": ("未开始", "Not open yet"),
        "failed_earlier": ("未开始（前一阶段未通过）", "Closed (an earlier stage failed)"),
        "to_submit": ("待提交", "To submit"),
        "submitted": ("待审核", "Awaiting review"),
        "returned": ("退回修改", "Returned"),
        "passed": ("通过", "Passed"),
        "failed": ("未通过", "Failed"),
    },
    "stage_action": {
        "report": ("提交报告", "Report submitted"),
        "resubmit": ("重新提交报告", "Report resubmitted"),
        "attach": ("上传材料", "File added"),
        "detach": ("删除材料", "File removed"),
        "assess": ("评定", "Assessed"),
        "return": ("退回修改", "Returned"),
        "revise": ("修改评定", "Assessment revised"),
    },
    "notice_state": {
        "open": ("公示中", "Open for objections"),
        "closed": ("公示结束", "Closed"),
        "finalised": ("已确定正式名单", "Final list confirmed"),
    },
    # 评分方案
    "aggregation": {
        "mean": ("平均分", "Mean"),
        "trimmed_mean": ("去掉最高最低分后平均", "Trimmed mean"),
        "median": ("中位数", "Median"),
        "sum": ("总分", "Sum"),
        "weighted": ("加权", "Weighted"),
    },
    "scale": {
        "range": ("分值区间", "Score range"),
        "pass_fail": ("合格/不合格", "Pass or fail"),
        "grades": ("等级", "Grades"),
    },
    # 通知投递
    "delivery_state": {
        "pending": ("待发送", "Pending"),
        "sending": ("发送中", "Sending"),
        "delivered": ("已送达", "Delivered"),
        "failed": ("发送失败", "Failed"),
        "dead": ("已放弃", "Given up"),
    },
    "channel": {
        "inbox": ("站内消息", "Inbox"),
        "email": ("电子邮件", "E-mail"),
        "webhook": ("Webhook", "Webhook"),
        "dingtalk": ("钉钉机器人", "DingTalk robot"),
        "wecom": ("企业微信机器人", "WeCom robot"),
    },
    "attachment_kind": {
        "application_form": ("申请表", "Application form"),
        "receipt": ("票据", "Receipt"),
        "evidence": ("佐证材料", "Supporting evidence"),
        "report": ("报告", "Report"),
        "other": ("其他材料", "Other material"),
    },
    "gender": {"男": ("男", "Male"), "女": ("女", "Female"), "male": ("男", "Male"), "female": ("女", "Female")},
    # 字段 (the last part of a wire field name in an error): error summaries name the
    # field by its label ("项目名称：…"); a field not listed here is not named at all.
    "field": {
        "title": ("名称", "Title"),
        # units a quota caps (per_unit_cap): a selection's message names the unit by these
        "class_id": ("班级", "Class"),
        "led_class_id": ("所带班级", "Class led"),
        "college_id": ("学院", "College"),
        "branch_id": ("党支部", "Party branch"),
        "reason": ("理由", "Reason"),
        "comment": ("意见", "Comment"),
        "file": ("文件", "File"),
        "kind": ("类别", "Kind"),
        "items": ("明细", "Items"),
        "receipts": ("票据", "Receipts"),
        "purpose": ("用途", "Purpose"),
        "amount_yuan": ("金额（元）", "Amount (yuan)"),
        "amount_fen": ("金额", "Amount"),
        "budget_fen": ("预算", "Budget"),
        "granted_fen": ("立项金额", "Granted amount"),
        "tier": ("档次", "Tier"),
        "decision": ("处理结果", "Decision"),
        "reply": ("答复", "Reply"),
        "result": ("考核结果", "Result"),
        "summary": ("总结", "Summary"),
        "state": ("状态", "State"),
        "action": ("操作", "Action"),
        "opens_at": ("开始时间", "Opens at"),
        "closes_at": ("截止时间", "Closes at"),
        "application_opens_at": ("申报开始时间", "Applications open"),
        "application_closes_at": ("申报截止时间", "Applications close"),
        "review_closes_at": ("评审截止时间", "Reviews close"),
        "academic_year": ("学年", "Academic year"),
        "days": ("天数", "Days"),
        "scores": ("评分", "Scores"),
        "value": ("分值", "Value"),
        "login": ("账号", "Login"),
        "password": ("密码", "Password"),
        "csrf_token": ("页面", "Page"),
        "name": ("姓名", "Name"),
        "phone": ("手机号", "Mobile number"),
        "reviewer_ids": ("评审专家", "Reviewers"),
        "reviewers_per_application": ("每份申报的评审人数", "Reviewers per application"),
        "aggregation": ("汇总方式", "Aggregation"),
        "nomination_quota": ("推荐名额", "Nomination quota"),
        "date": ("日期", "Date"),
        "level": ("级别", "Level"),
        "category": ("类别", "Category"),
        "url": ("网址", "URL"),
        "channel": ("渠道", "Channel"),
        "body": ("正文", "Text"),
        "role": ("角色", "Role"),
        "roles": ("角色", "Roles"),
        "members": ("成员", "Members"),
        "stage": ("阶段", "Stage"),
        "form": ("申报表", "Form"),
    },
}


def register(vocabulary, labels, replace=False):
    """Add {code: (zh, en)} to a vocabulary (new or existing). A code already there
    must keep its label: two labels for one code would make pages disagree — unless
    `replace` (what a newer version of a program declares wins: core.roles)."""
    known = VOCABULARIES.setdefault(vocabulary, {})
    for code, value in labels.items():
        value = tuple(value)
        if code in known and known[code] != value and not replace:
            raise ValueError(f"label of {vocabulary}:{code} defined twice ({known[code]} vs {value})")
        known[code] = value
    _rebuild()


def _humanise(code):
    return str(code).replace("_", " ").strip()


def pair(vocabulary, code):
    """(zh, en) of a code; an unknown code gives its humanised self twice."""
    if code is None or code == "":
        return ("", "")
    found = VOCABULARIES.get(vocabulary, {}).get(code)
    if found is None:
        text = _humanise(code)
        return (text, text)
    return found


def label(vocabulary, code, lang="zh"):
    """The label of `code` in `vocabulary`, in `lang` ("zh" or "en")."""
    zh, en = pair(vocabulary, code)
    return en if lang == "en" else zh


def label_any(code, lang="zh", prefer=()):
    """The label of a code whose vocabulary is not known (an option of a program's
    form): the vocabularies in `prefer` first, then every vocabulary in order."""
    if code is None or code == "":
        return ""
    for vocabulary in (*prefer, *VOCABULARIES):
        found = VOCABULARIES.get(vocabulary, {}).get(code)
        if found is not None:
            return found[1] if lang == "en" else found[0]
    return _humanise(code)


def field_label(field, lang="zh", schema_labels=None):
    """The label of a wire field name in an error ("form.title" -> "项目名称"), from
    `schema_labels` ({dotted name: (zh, en)}, a form's own titles) first, then the
    "field" vocabulary by the name's last part; None when unknown, so a caller shows
    the message without naming a field rather than showing its code."""
    if not field:
        return None
    name = str(field)
    for candidate in (name, name[5:] if name.startswith("form.") else None):
        if candidate and schema_labels and candidate in schema_labels:
            zh, en = schema_labels[candidate]
            return en if lang == "en" else zh
    last = [part for part in name.split(".") if not part.isdigit()]
    found = VOCABULARIES["field"].get(last[-1]) if last else None
    if found is None:
        return None
    return found[1] if lang == "en" else found[0]


def options(vocabulary):
    """[(code, zh, en)] of a vocabulary in its declared order (for a <select>)."""
    return [(code, zh, en) for code, (zh, en) in VOCABULARIES.get(vocabulary, {}).items()]


def is_known(vocabulary, code):
    return code in VOCABULARIES.get(vocabulary, {})


def percent(weight, total=100, digits=1):
    """A weight as people read it: 16.7% (one decimal, no trailing .0)."""
    if weight is None:
        return ""
    value = round(float(weight) * 100.0 / float(total or 100), digits)
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return f"{text}%"


def number(value, digits=2):
    """A total or score rounded to two decimals, trailing zeros dropped (87.5, 90)."""
    if value is None or value == "":
        return ""
    try:
        rounded = round(float(value), digits)
    except (TypeError, ValueError):
        return str(value)
    text = f"{rounded:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# Ids as the services make them (app_…, cmp_…, award:…, uuid hex): a message shown to a
# person loses them (it names the thing by its title elsewhere on the page).
ID_PATTERN = re.compile(
    r"(?<![A-Za-z0-9_])(?:(?:app|att|cmp|obj|clm|claim|fatt|lf|evt|fact|le|p|person|program|grant|nom|sub)_[A-Za-z0-9_-]+"
    r"|(?:award|claim|material|request|rule|subscription|user|grant|project):[^\s，。；、）)」'\"]+"
    r"|[0-9a-f]{32})")
_EMPTY_BRACKETS = re.compile(r"「\s*」|（\s*）|\(\s*\)|''|\"\"")


def scrub_ids(text):
    """`text` without internal ids or zone codes: "申报不存在：app_3f…" -> "申报不存在",
    "17:00 (Asia/Shanghai)" -> "17:00" (pages say all times are Beijing time)."""
    if not text:
        return text or ""
    cleaned = str(text).replace(" (Asia/Shanghai)", "").replace("(Asia/Shanghai)", "")
    cleaned = _EMPTY_BRACKETS.sub("", ID_PATTERN.sub("", cleaned))
    cleaned = re.sub(r"[：:，,]\s*(?=[；;。.]|$)", "", cleaned)
    return re.sub(r"\s{2,}", " ", cleaned).strip()


KNOWN_CODES = frozenset()


def _rebuild():
    """Every ASCII code of the catalogue: none of them should appear on a Chinese page
    as a word of its own (the Chinese 男/女 entries and field names are left out)."""
    global KNOWN_CODES
    KNOWN_CODES = frozenset(code for name, vocab in VOCABULARIES.items() if name != "field" for code in vocab
                            if isinstance(code, str) and code.isascii())


_rebuild()
