"""三好学生 end to end, through the gateway, on the whole platform (and the cadre
program's own condition):

1. The school opens the 2025-2026 campaign (autumn 2026). Two classes: 机电2301 (30
   students: 3 places at 10%) and 机电2302 (35: 3.5 → 4 places, half up). The college
   imports the 综合测评 sheet as facts of the program's own kind (综合测评).
2. At submission: rank 4 of 30 is refused (outside the class quota); rank 2 with a
   failed course is refused naming the course; five submit within their quotas.
3. The counselor approves them (the college's pre-review).
4. A sanction recorded after submission vetoes one; the college review group marks
   the rest; one under 60 is not recommended.
5. 5-day notice; an objection is answered and dismissed; finalising early is refused;
   the school admin finalises (学校审批); three titles are granted; the certificate.
6. 优秀学生干部: no passed cadre review → refused, with the reason; a passed one → submits.
"""
import csv
import io
from datetime import datetime, timedelta, timezone

import eventlet
import pypdf

from deploy.demo_data import COLLEGES, DEMO_PASSWORD, SCHOOL
from services.applications.directory import make_unit
from tests.integration.helpers import as_job, close_applications

ADMIN, COUNSELOR, REVIEWER = "admin", "counselor_me", "reviewer"
LEAVES = ("conduct", "study", "health")
YEAR = "2025-2026"


def login(klass, i):
    return f"2023{klass}{i:02d}"


def world(rpc):
    units = [make_unit("class", "机电2301班", COLLEGES["me"], unit_id_="class_me2301", grade=2023),
             make_unit("class", "机电2302班", COLLEGES["me"], unit_id_="class_me2302", grade=2023)]
    people = [{"_id": f"p_{login(k, i)}", "login": login(k, i), "name": f"学生{k}{i:02d}", "student_no": login(k, i),
               "school_id": SCHOOL["_id"], "college_id": COLLEGES["me"]["_id"], "class_id": f"class_me{k}",
               "grade": 2023, "political_status": "league_member", "veteran": False, "password": DEMO_PASSWORD,
               "roles": [{"role": "student", "unit_id": f"class_me{k}"}]}
              for k, size in (("2301", 30), ("2302", 35)) for i in range(1, size + 1)]
    rpc.applications.seed_directory(units, [])
    rpc.applications.seed_directory([], people)


def import_facts(http, rows):
    header = ["对象类型", "对象编号", "类别", "日期", "来源", "来源编号", "课程", "是否必修", "处分", "情况说明", "职务",
              "考核结果", "班级排名", "测评成绩"]
    out = io.StringIO()
    csv.writer(out).writerows([header] + [[r.get(h, "") for h in header] for r in rows])
    response = as_job(http, ADMIN, "POST", "/api/records/facts/import",
                        data={"file": (io.BytesIO(out.getvalue().encode()), "事实.csv")},
                        content_type="multipart/form-data")
    assert response.status_code in (200, 201), response.json


def fact(who, kind, day, ref, **cols):
    return {"对象类型": "个人", "对象编号": who, "类别": kind, "日期": day, "来源": "教务处", "来源编号": ref, **cols}


def open_campaign(http, program):
    now = datetime.now(timezone.utc)
    body = {"program": program, "title": f"{YEAR} {program}", "academic_year": YEAR, "unit_id": SCHOOL["_id"],
            "application_opens_at": (now - timedelta(days=1)).isoformat(),
            "application_closes_at": (now + timedelta(days=7)).isoformat()}
    response = http.as_(ADMIN, "POST", "/api/campaigns", json=body)
    assert response.status_code == 201, response.json
    return response.json["id"]


def form(**extra):
    return {"phone": "13800000001",
            "deeds": "本学年刻苦学习，综合测评名列前茅，积极参加志愿服务与集体活动，关心同学，乐于助人。" * 2, **extra}


def assessment_sheet(ranks):
    """The colleges' 综合测评 sheets: {学号: rank}."""
    return [fact(who, "综合测评", "2026-07-01", f"ZC-{who}", 班级排名=rank, 测评成绩=95 - rank) for who, rank in ranks.items()]


def apply(http, who, cid, body):
    created = http.as_(who, "POST", f"/api/campaigns/{cid}/applications", json={"form": body})
    assert created.status_code == 201, created.json
    return created.json["id"], http.as_(who, "POST", f"/api/applications/{created.json['id']}/actions",
                                        json={"action": "submit"})


def wait_until(fetch, done, seconds=20):
    for _ in range(int(seconds / 0.2)):
        value = fetch()
        if done(value):
            return value
        eventlet.sleep(0.2)
    raise AssertionError(f"gave up waiting; last value: {value!r}")


def test_a_whole_merit_student_campaign(http, rpc, mongo, gateway_app):
    world(rpc)
    cid = open_campaign(http, "merit_students")
    kinds = http.as_(ADMIN, "GET", "/api/records/kinds").json["kinds"]
    assert {"code": "merit_students:assessment", "label_zh": "综合测评"}.items() <= next(
        k for k in kinds if k["code"] == "merit_students:assessment").items()
    ranks = {login("2301", i): i for i in range(1, 6)}
    ranks.update({login("2302", i): i for i in range(1, 5)})
    import_facts(http, assessment_sheet(ranks) + [
        fact(login("2301", 2), "课程不及格", "2026-01-12", "JW-1", 课程="高等数学", 是否必修="是")])

    # -- 2. at submission -----------------------------------------------------------------
    _, outside = apply(http, login("2301", 4), cid, form())
    assert outside.status_code == 422 and outside.json["field"] == "eligibility"
    assert "综合测评班级排名第 4 名，不在班级名额（30 人的 10%，共 3 名）之内" in outside.json["message_zh"]
    _, failed = apply(http, login("2301", 2), cid, form())
    assert failed.status_code == 422 and "2026-01-12 课程《高等数学》不及格" in failed.json["message_zh"]
    ids = {}
    for who in (login("2301", 1), login("2301", 3), login("2302", 1), login("2302", 2),
                login("2302", 4)):   # 4th of 35: 3.5 places → 4
        ids[who], submitted = apply(http, who, cid, form())
        assert submitted.status_code == 200, submitted.json

    # -- 3. the counselor's pre-review ---------------------------------------------------------
    for app_id in ids.values():
        approved = http.as_(COUNSELOR, "POST", f"/api/applications/{app_id}/actions", json={"action": "college_approve"})
        assert approved.status_code == 200, approved.json

    # -- 4. a sanction recorded meanwhile; the college review group's marks ---------------------
    import_facts(http, [fact(login("2301", 3), "违纪处分", "2026-05-20", "XG-7", 处分="警告", 情况说明="夜不归宿")])
    base = f"/api/scoring/campaigns/{cid}"
    assert http.as_(ADMIN, "PUT", base + "/setup", json={"reviewers_per_application": 1,
                                                          "reviewer_ids": [f"p_{REVIEWER}"]}).status_code == 200
    started = http.as_(ADMIN, "POST", base + "/assignments/auto")     # a background job
    assert started.status_code == 202, started.json
    job = wait_until(lambda: http.as_(ADMIN, "GET", f"/api/jobs/{started.json['id']}").json,
                     lambda j: j["state"] not in ("queued", "running"), seconds=60)
    assert job["state"] == "succeeded" and len(job["result"]["created"]) == 5, job
    marks = {login("2301", 1): 90, login("2301", 3): 95, login("2302", 1): 85, login("2302", 2): 55,
             login("2302", 4): 80}
    for who, mark in marks.items():
        sheet = http.as_(REVIEWER, "POST", f"{base}/applications/{ids[who]}/sheet/submit",
                         json={"scores": {leaf: mark for leaf in LEAVES}})
        assert sheet.status_code == 200, sheet.json
    close_applications(http, ADMIN, cid)   # results are never published while applications are open
    published = as_job(http, ADMIN, "POST", base + "/results/publish", json={})
    assert published.status_code == 200, published.json
    winners = [login("2301", 1), login("2302", 1), login("2302", 4)]
    assert [s["application_id"] for s in published.json["selected"]] == [ids[w] for w in winners]
    rest = {r["application_id"]: r for r in published.json["rest"]}
    assert rest[ids[login("2301", 3)]]["reason"] == "vetoed" and "本学年受到违纪处分" in \
        rest[ids[login("2301", 3)]]["message_zh"]
    assert rest[ids[login("2302", 2)]]["reason"] == "below_min_score"
    wait_until(lambda: http.as_(ADMIN, "GET", f"/api/campaigns/{cid}/shortlist"),
               lambda r: r.status_code == 200 and r.json.get("round") == published.json["round"])

    # -- 5. the notice, an objection, the school's approval, the titles ------------------------
    notice = http.as_(ADMIN, "POST", f"/api/campaigns/{cid}/notice", json={})
    assert notice.status_code == 201 and notice.json["days"] == 5, notice.json
    assert [e["application_id"] for e in notice.json["entries"]] == [ids[w] for w in winners]
    objection = http.as_(login("2301", 5), "POST", f"/api/notices/{notice.json['id']}/objections",
                         json={"application_id": ids[login("2301", 1)], "reason": "该同学综合测评排名是否属实？"})
    assert objection.status_code == 201, objection.json
    resolved = http.as_(ADMIN, "POST", f"/api/notices/{notice.json['id']}/objections/{objection.json['id']}/resolve",
                        json={"decision": "dismissed", "reply": "经核对班级综合测评表，该生排名第1，属实。"})
    assert resolved.status_code == 200 and resolved.json["state"] == "dismissed"
    early = as_job(http, ADMIN, "POST", f"/api/notices/{notice.json['id']}/finalise")
    assert early.status_code == 409 and early.json["field"] == "closes_at"
    db = mongo("applications")
    stored = db.notices.find_one({"_id": notice.json["id"]})
    shift = timedelta(days=stored["days"], minutes=1)
    stored["opens_at"] -= shift
    stored["closes_at"] -= shift
    db.notices.replace_one({"_id": stored["_id"]}, stored)
    final = as_job(http, ADMIN, "POST", f"/api/notices/{notice.json['id']}/finalise")
    assert final.status_code == 200, final.json
    awards = wait_until(lambda: http.as_(ADMIN, "GET", f"/api/awards?campaign_id={cid}").json,
                        lambda a: isinstance(a, list) and len(a) == 3)
    assert sorted((a["recipient_id"], a["title"], a["academic_year"]) for a in awards) == sorted(
        (f"p_{w}", "三好学生", YEAR) for w in winners)
    states = {who: http.as_(ADMIN, "GET", f"/api/applications/{app_id}").json["state"] for who, app_id in ids.items()}
    assert states == {w: "approved" if w in winners else "rejected" for w in ids}

    # The certificate, from the winner's own pages.
    client = gateway_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/login", data={"login": winners[0], "password": DEMO_PASSWORD,
                                       "csrf_token": token}).status_code == 302
    award = next(a for a in awards if a["recipient_id"] == f"p_{winners[0]}")
    pdf = client.get(f"/campaigns/{cid}/awards/{award['id']}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    for expected in ("学生230101", "三好学生", "示范大学", YEAR):
        assert expected in text, expected

    # -- 6. 优秀学生干部: the cadre review ---------------------------------------------------------
    cadres = open_campaign(http, "outstanding_cadres")
    import_facts(http, [fact(login("2302", 1), "学生干部考核", "2026-06-30", "GB-1", 职务="班长", 考核结果="合格")])
    _, refused = apply(http, login("2301", 1), cadres, form(post="团支书"))
    assert refused.status_code == 422 and "没有 2025-2026 学年学生干部考核合格的记录" in refused.json["message_zh"]
    _, accepted = apply(http, login("2302", 1), cadres, form(post="班长"))
    # Without a 综合测评 result on record, nobody may apply.
    _, unassessed = apply(http, login("2302", 9), cadres, form(post="学习委员"))
    assert unassessed.status_code == 422 and "没有 2025-2026 学年综合测评结果的记录" in unassessed.json["message_zh"]
    assert accepted.status_code == 200, accepted.json
