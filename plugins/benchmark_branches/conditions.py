"""The five eligibility conditions of seed 004 (遴选标准及条件), as plain functions.

Each condition takes what it needs (the 申报书, facts already fetched for the right
window, the program's settings) and returns None when it holds or one reason
{"code", "message", "message_zh"} naming the condition and what is missing. The hook
(hooks.py) fetches the facts and returns every failed condition at once.

Facts are the records service's (services/records/domain/kinds.py): ``commendation``
and ``honour`` carry ``value.level`` (college | school | province | national |
ministry), ``secretary_review`` ``value.grade`` (好 | 较好 | 一般 | 差), ``incident``
``value.severity`` (prominent_problem | major_incident | serious_violation).
"""
from core.plugin_kit import reason as _reason
from plugins.benchmark_branches.duties import BRANCH_TYPE_EN, BRANCH_TYPE_ZH, DUTIES, duty_en, duty_zh

LEVEL_ZH = {"college": "院级", "school": "校级", "province": "省级", "national": "国家级", "ministry": "部级"}
SEVERITY_ZH = {"prominent_problem": "突出问题", "major_incident": "重大事件", "serious_violation": "严重违纪违法"}
LIFE_ZH = {"member_meetings": "支部党员大会", "committee_meetings": "支部委员会会议", "party_lessons": "党课",
           "theme_days": "主题党日", "life_meetings": "组织生活会"}
LIFE_EN = {"member_meetings": "member meetings", "committee_meetings": "committee meetings",
           "party_lessons": "Party lessons", "theme_days": "theme Party days",
           "life_meetings": "organisational life meetings"}


def _value(fact, name):
    return (fact.get("value") or {}).get(name)


# -- (1) 严格落实条例，高质量履行党支部职责 -------------------------------------------------
def duties(form, branch_type):
    """Every duty of the branch's type (6 faculty, 5 student) is attested with evidence."""
    attested = {d.get("duty") for d in form.get("duties") or [] if (d.get("evidence") or "").strip()}
    missing = [code for code in DUTIES[branch_type] if code not in attested]
    if not missing:
        return None
    n = len(DUTIES[branch_type])
    return _reason(
        "duties",
        f"Condition 1: a {BRANCH_TYPE_EN[branch_type]} fulfils {n} duties; the application attests no evidence for: "
        + "; ".join(duty_en(c) for c in missing) + ".",
        f"条件一：{BRANCH_TYPE_ZH[branch_type]}应高质量履行“{'六' if n == 6 else '五'}项职责”，申报书未说明以下职责的履行情况："
        + "；".join(duty_zh(c) for c in missing),
    )


# -- (2) 标准化规范化建设，严格落实组织生活制度 -----------------------------------------------
def organisational_life(form, minimums, committee_from):
    """The organisational life of the last 12 months reaches the minimums (a branch with
    fewer than `committee_from` full members has no committee, so no committee
    meetings are asked of it) and the democratic review of members was held."""
    life = form.get("organisational_life") or {}
    full = (form.get("basic_info") or {}).get("full_members") or 0
    short = []
    for key, least in minimums.items():
        if key == "committee_meetings" and full < committee_from:
            continue
        held = life.get(key) or 0
        if held < least:
            short.append((key, held, least))
    no_review = not life.get("democratic_review")
    if not short and not no_review:
        return None
    en = [f"{LIFE_EN[k]} {held} (at least {least})" for k, held, least in short]
    zh = [f"{LIFE_ZH[k]} {held} 次（至少 {least} 次）" for k, held, least in short]
    if no_review:
        en.append("no democratic review of members")
        zh.append("未开展民主评议党员")
    return _reason(
        "organisational_life",
        "Condition 2: organisational life in the last 12 months is not regular: " + "; ".join(en) + ".",
        "条件二：近一年组织生活不够规范：" + "；".join(zh),
    )


# -- (3) 落实“一融双高”实施方案并取得阶段性成效 ---------------------------------------------
def school_plan(form, least):
    """The branch reports at least `least` results of implementing the school's plan."""
    results = (form.get("plan_implementation") or {}).get("results") or []
    if len(results) >= least:
        return None
    return _reason(
        "school_plan",
        f"Condition 3: the application reports {len(results)} result(s) of implementing the school's "
        f"\"一融双高\" plan; at least {least} needed.",
        f"条件三：申报书列出落实“一融双高”实施方案的阶段性成效 {len(results)} 项，至少需要 {least} 项",
    )


# -- (4) 近3年表彰或述职评议“好”，且至少1名成员获校级以上荣誉 -----------------------------------
def commendations(leader_facts, member_facts, levels, years, since, until):
    """`leader_facts`: commendation/honour/secretary_review facts of the branch and its
    secretary in the window; `member_facts`: honour/commendation facts of the branch's
    members. Both parts must hold."""
    counted = [f for f in leader_facts if f["kind"] in ("commendation", "honour") and _value(f, "level") in levels]
    good = [f for f in leader_facts if f["kind"] == "secretary_review" and _value(f, "grade") == "好"]
    honoured = [f for f in member_facts if f["kind"] == "honour" and _value(f, "level") in levels]
    en, zh = [], []
    if not counted and not good:
        en.append("neither the branch nor its secretary received a school-level or higher commendation, nor a "
                  "\"好\" grade in the secretary review")
        zh.append("党支部或党支部书记未获得校级（含）以上表彰，且书记述职评议考核未获得“好”等次")
    if not honoured:
        en.append("no member holds a school-level or higher honour")
        zh.append("没有支部成员获评校级（含）以上荣誉称号")
    if not en:
        return None
    return _reason(
        "commendation",
        f"Condition 4: in the last {years} years ({since} to {until}) " + "; and ".join(en) + ".",
        f"条件四：近 {years} 年（{since} 至 {until}）" + "；".join(zh),
    )


# -- (5) 近1年无突出问题、重大事件、严重违纪违法 -------------------------------------------------
def clean_record(incident_facts, severities, years, since, until, names=None):
    """No incident of a counted severity on the branch or any member in the window.
    `names` maps subject ids to names for the message."""
    found = [f for f in incident_facts if f["kind"] == "incident" and _value(f, "severity") in severities]
    if not found:
        return None
    names = names or {}
    en = [f"{f['date']} {_value(f, 'severity')} ({names.get(f['subject_id'], f['subject_id'])})" for f in found]
    zh = [f"{f['date']} {SEVERITY_ZH.get(_value(f, 'severity'), _value(f, 'severity'))}"
          f"（{names.get(f['subject_id'], f['subject_id'])}）" for f in found]
    return _reason(
        "clean_record",
        f"Condition 5: in the last {years} year(s) ({since} to {until}) the branch or its members had: "
        + "; ".join(en) + ".",
        f"条件五：近 {years} 年（{since} 至 {until}）党支部或其成员出现过：" + "；".join(zh),
    )
