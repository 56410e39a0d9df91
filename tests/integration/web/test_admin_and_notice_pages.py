"""The campaign admin's pages, the public notice and the final list, on the real
gateway and services (applications, the pilot plugin, scoring, funding; no
browser): open a campaign in Beijing time, set up scoring, auto-assign, preview the
ranking with its cut line, publish, open the notice, object, resolve, finalise,
download the certificate, the documents and the dashboard.

The notice period is ended through the database (lifecycle_helpers.end_period), the
only test-only override."""
import html
import io
import json
import re
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pypdf
import pytest
from docx import Document
from openpyxl import load_workbook

from tests.integration.helpers import PDF, b64, good_form
from tests.integration.lifecycle_helpers import end_period, wait
from tests.integration.web.test_applicant_pages import _web_login

SHANGHAI = ZoneInfo("Asia/Shanghai")
SCORES_HIGH = {leaf: 9 for leaf in ("goals", "measures", "innovation", "feasibility", "outcomes", "budget")}
SCORES_LOW = {leaf: 5 for leaf in SCORES_HIGH}


@pytest.fixture
def extra_services():
    from services.funding.service import FundingService
    from services.scoring.service import ScoringService
    return [ScoringService, FundingService]


@pytest.fixture
def ready(rpc):
    """The cluster once the pilot plugin has registered with scoring and funding."""
    assert wait(lambda: _registered(rpc), 15), "pilot_branches never registered with scoring and funding"
    return rpc


def _registered(rpc):
    try:
        return bool(rpc.scoring.get_criteria("pilot_branches")
                    and rpc.funding.get_rules("pilot_branches")["tiers"])
    except Exception:  # not registered yet
        return False


def client_of(gateway_app, login):
    client = gateway_app.test_client()
    return client, _web_login(client, login)


def text(response):
    return response.get_data(as_text=True)


def nonce_of(page):
    return re.search(r'name="nonce" value="([^"]+)"', page).group(1)


def job_done(client, url, seconds=60):
    """The job whose progress the page at `url` shows (a job= link, or the box of the
    page's own job, e.g. the results preview being computed), once it has finished:
    (job, the page read again)."""
    page = text(client.get(url))
    found = re.search(r'data-job-url="/jobs/([^"]+)\.json"', page)
    if not found:
        return None, page
    deadline = time.time() + seconds
    while True:
        job = client.get(f"/jobs/{found.group(1)}.json").json
        if job["state"] in ("succeeded", "failed"):
            return job, text(client.get(url))
        assert time.time() < deadline, job
        time.sleep(0.1)


def local(moment):
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def college_approved(rpc, campaign_id, secretary, branch, counselor):
    app = rpc.applications.create_application(secretary, campaign_id, {"applicant_id": branch, "form": good_form()})
    rpc.applications.add_attachment(secretary, app["id"], "application_form", "申请表.pdf", b64(PDF))
    rpc.applications.act(secretary, app["id"], {"action": "submit"})
    rpc.applications.act(counselor, app["id"], {"action": "college_approve"})
    return app["id"]


def test_admin_runs_a_campaign_to_the_certificate_through_the_pages(ready, gateway_app, mongo, monkeypatch):
    rpc = ready
    admin, csrf = client_of(gateway_app, "admin")

    # Opening a campaign: bad windows are refused field by field and nothing is stored.
    page = text(admin.get("/admin/campaigns"))
    assert 'value="pilot_branches"' in page and "示范大学" in page and "机电与信息工程学院" in page
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    form = {"csrf_token": csrf, "program": "pilot_branches", "title": "2026-2027 学年对标争先（页面）",
            "academic_year": "2026-2027", "unit_id": "school_demo",
            "application_opens_at": local(now - timedelta(days=1)),
            "application_closes_at": local(now - timedelta(days=2)),
            "settings": "", "per_college": ""}
    before = len(rpc.applications.list_campaigns("p_admin", False))
    refused = admin.post("/admin/campaigns", data=form)
    assert refused.status_code == 422 and 'id="i-application_closes_at-error"' in text(refused)
    missing = admin.post("/admin/campaigns", data=dict(form, application_opens_at=""))
    assert missing.status_code == 422 and 'id="i-application_opens_at-error"' in text(missing)
    assert 'name="settings"' not in page        # settings: on their own generated form, never as JSON
    assert len(rpc.applications.list_campaigns("p_admin", False)) == before

    opened = admin.post("/admin/campaigns", data=dict(form, application_closes_at=local(now + timedelta(days=7))))
    assert opened.status_code == 302, text(opened)[:2000]
    cid = opened.headers["Location"].rsplit("/", 1)[1]
    stored = rpc.applications.get_campaign("p_admin", cid)
    opens_utc = datetime.fromisoformat(stored["application_opens_at"].replace("Z", "+00:00"))
    assert opens_utc == now - timedelta(days=1)            # entered in Beijing time, stored in UTC
    assert stored["level"] == "school"

    me1 = college_approved(rpc, cid, "p_2023010101", "branch_me1", "p_counselor_me")
    em1 = college_approved(rpc, cid, "p_2023020101", "branch_em1", "p_counselor_em")

    # Scoring setup: one reviewer per application, names shown; then automatic assignment.
    assert "尚未保存评审设置" in text(admin.get(f"/admin/campaigns/{cid}"))
    saved = admin.post(f"/admin/campaigns/{cid}/setup", data={"csrf_token": csrf, "reviewers_per_application": "1",
                                                              "aggregation": "mean", "version": "0"})
    assert saved.status_code == 302
    setup = rpc.scoring.get_setup("p_admin", cid)
    assert (setup["reviewers_per_application"], setup["blind_review"], setup["zscore"]) == (1, False, False)
    stale = admin.post(f"/admin/campaigns/{cid}/setup", data={"csrf_token": csrf, "reviewers_per_application": "2",
                                                              "version": "0"})
    assert stale.status_code == 409 and rpc.scoring.get_setup("p_admin", cid)["reviewers_per_application"] == 1
    started = admin.post(f"/admin/campaigns/{cid}/auto-assign", data={"csrf_token": csrf})
    assert started.status_code == 302 and "job=" in started.headers["Location"]
    job_id = started.headers["Location"].split("job=")[1].split("#")[0]
    running = text(admin.get(started.headers["Location"]))
    assert "自动分配评审专家" in running and "jobs.js" in running
    for _ in range(300):
        if admin.get(f"/jobs/{job_id}.json").json["state"] == "succeeded":
            break
        time.sleep(0.1)
    done = text(admin.get(started.headers["Location"]))
    assert "已完成" in done and "新增分配：2" in done
    page = text(admin.get(f"/admin/campaigns/{cid}"))
    assert page.count("冯教授") >= 3 and "机电学院学生第一党支部" in page

    # The reviewer scores; the preview ranks with the cut line between in and out.
    rpc.scoring.submit_sheet("p_reviewer", cid, me1, {"scores": SCORES_HIGH})
    rpc.scoring.submit_sheet("p_reviewer", cid, em1, {"scores": SCORES_LOW})
    # (the preview is computed by a job the page starts and shows; the page then reloads)
    computing, page = job_done(admin, f"/admin/campaigns/{cid}")
    assert computing and computing["kind"] == "compute_results" and computing["state"] == "succeeded"
    assert "遴选预览" in page and 'class="cut-line"' in page
    page = page[page.index('id="results"'):]
    assert page.index("机电学院学生第一党支部") < page.index('class="cut-line"') < page.index("经管学院学生第一党支部")
    _lists_come_a_page_at_a_time(admin, cid, monkeypatch)
    # Applications are still open: publishing is refused; the page offers to close and publish.
    assert "截止申报并发布" in page and "发布评审结果前须先截止申报" in page
    refused = admin.post(f"/admin/campaigns/{cid}/publish", data={"csrf_token": csrf})
    assert refused.status_code == 409 and "申报尚未截止" in text(refused)
    assert mongo("scoring").selections.count_documents({"campaign_id": cid}) == 0
    first = admin.post(f"/admin/campaigns/{cid}/close-and-publish", data={"csrf_token": csrf})
    assert first.status_code == 302 and "job=" in first.headers["Location"]
    assert rpc.applications.get_campaign("p_admin", cid)["phase"] == "checking"   # closed before publishing
    published, page = job_done(admin, first.headers["Location"])
    assert published["state"] == "succeeded" and "计算并发布评审结果" in page
    again = admin.post(f"/admin/campaigns/{cid}/publish", data={"csrf_token": csrf})   # the same round
    assert job_done(admin, again.headers["Location"])[0]["result"]["created"] is False
    assert mongo("scoring").selections.count_documents({"campaign_id": cid}) == 1
    assert "已发布的结果" in text(admin.get(f"/admin/campaigns/{cid}"))
    assert wait(lambda: mongo("applications").shortlists.count_documents({"campaign_id": cid}) == 1)

    # The notice: opened by the admin, read by a student in scope with the period and how to object.
    assert admin.post(f"/admin/campaigns/{cid}/notice", data={"csrf_token": csrf, "days": "x"}).status_code == 422
    assert admin.post(f"/admin/campaigns/{cid}/notice", data={"csrf_token": csrf, "days": "5"}).status_code == 302
    notice = rpc.applications.get_notice("p_admin", cid)
    wang, wang_csrf = client_of(gateway_app, "2023010102")
    page = text(wang.get(f"/campaigns/{cid}/notice"))
    assert "如何提出异议" in page and notice["closes_at_local"] in page and 'class="countdown"' in page
    assert f"/campaigns/{cid}/notice" in text(wang.get("/notices"))

    # Objecting: a reason is required; the same form posted twice files one objection.
    objection = {"csrf_token": wang_csrf, "notice_id": notice["id"], "application_id": me1, "nonce": nonce_of(page)}
    no_reason = wang.post(f"/campaigns/{cid}/notice/objections", data=dict(objection, reason=" "))
    assert no_reason.status_code == 422 and 'id="o-reason-error"' in text(no_reason)
    assert mongo("applications").objections.count_documents({"campaign_id": cid}) == 0
    for _ in range(2):
        filed = wang.post(f"/campaigns/{cid}/notice/objections", content_type="multipart/form-data",
                          data=dict(objection, reason="活动记录与事实不符", evidence=(io.BytesIO(PDF), "证明.pdf")))
        assert filed.status_code == 302
    assert mongo("applications").objections.count_documents({"campaign_id": cid}) == 1
    assert "等待处理" in text(wang.get(f"/campaigns/{cid}/notice"))

    # Resolving: the reply is required; the objector reads it.
    page = text(admin.get(f"/admin/campaigns/{cid}/notice"))
    [obj] = rpc.applications.list_objections("p_admin", notice["id"])
    assert "活动记录与事实不符" in page and "证明.pdf" in page
    resolve = {"csrf_token": csrf, "notice_id": notice["id"], "decision": "dismissed", "change": "",
               "nonce": nonce_of(page)}
    no_reply = admin.post(f"/admin/campaigns/{cid}/objections/{obj['id']}/resolve", data=dict(resolve, reply=""))
    assert no_reply.status_code == 422
    assert rpc.applications.list_objections("p_admin", notice["id"])[0]["state"] == "pending"
    done = admin.post(f"/admin/campaigns/{cid}/objections/{obj['id']}/resolve",
                      data=dict(resolve, reply="经核实，活动记录真实有效。"))
    assert done.status_code == 302
    assert "经核实，活动记录真实有效。" in text(wang.get(f"/campaigns/{cid}/notice"))

    # Finalising: refused inside the period (the page says why), then done.
    early = admin.post(f"/admin/campaigns/{cid}/finalise", data={"csrf_token": csrf, "notice_id": notice["id"]})
    assert early.status_code == 409 and 'role="alert"' in text(early)
    end_period(mongo, notice["id"])
    finalised = admin.post(f"/admin/campaigns/{cid}/finalise", data={"csrf_token": csrf, "notice_id": notice["id"]})
    assert finalised.status_code == 302
    job, page = job_done(admin, finalised.headers["Location"])
    assert job["state"] == "succeeded" and "确定正式名单" in page and "已决定的申报：2" in page
    assert rpc.applications.get_application("p_admin", me1)["state"] == "approved"
    assert wait(lambda: rpc.applications.list_awards("p_admin", cid))
    # Once decided (no longer under review) the assignments still name their applicants.
    from gateway.web import pages_admin
    monkeypatch.setattr(pages_admin, "ASSIGNMENTS_PAGE", 50)
    assigned = _section(text(admin.get(f"/admin/campaigns/{cid}")), "assignments")
    assert "机电学院学生第一党支部" in assigned and "经管学院学生第一党支部" in assigned

    # The winner's side downloads the certificate; someone else in scope does not.
    winner, winner_csrf = client_of(gateway_app, "2023010101")
    page = text(winner.get(f"/campaigns/{cid}/final-list"))
    [award] = rpc.applications.list_awards("p_admin", cid)
    url = f"/campaigns/{cid}/awards/{award['id']}/certificate.pdf"
    assert "荣誉证书" in page and "机电学院学生第一党支部" in page
    pdf = winner.get(url)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    content = pypdf.PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    for expected in ("机电学院学生第一党支部", award["title"], "示范大学", "2026-2027"):
        assert expected in content, expected
    other, _ = client_of(gateway_app, "2023020101")
    assert other.get(url).status_code == 404

    # Documents from the admin page: each workbook is built by a background job, whose
    # page links the file.
    admin_page = text(admin.get(f"/admin/campaigns/{cid}"))
    for kind in ("summary", "ranking"):
        assert f'action="/campaigns/{cid}/exports/{kind}"' in admin_page, kind
    books = {}
    for kind in ("summary", "ranking"):
        started = admin.post(f"/campaigns/{cid}/exports/{kind}", data={"csrf_token": csrf})
        assert started.status_code == 303, kind
        job, page = job_done(admin, started.headers["Location"])
        assert job["state"] == "succeeded" and f'/jobs/{job["id"]}/file' in page, job
        download = admin.get(f'/jobs/{job["id"]}/file')
        assert download.status_code == 200, kind
        books[kind] = load_workbook(io.BytesIO(download.data)).active
    assert books["summary"].max_row >= 2 and "评审结果" in str(books["ranking"]["A1"].value)
    assert "机电学院学生第一党支部" in json.dumps([[c.value for c in r] for r in books["ranking"].iter_rows()],
                                            ensure_ascii=False)
    assert "生成评审结果表" in text(admin.get(started.headers["Location"]))
    assert winner.post(f"/campaigns/{cid}/exports/ranking", data={"csrf_token": winner_csrf}).status_code == 403
    form_doc = admin.get(f"/applications/{me1}/form.docx")
    assert form_doc.status_code == 200 and "先锋领航进宿舍" in "\n".join(
        cell.text for table in Document(io.BytesIO(form_doc.data)).tables for row in table.rows for cell in row.cells)
    assert winner.get(f"/campaigns/{cid}/ranking.xlsx").status_code == 403

    # The dashboard: charts' data on the page, each with its table, chart.js served locally.
    # A large campaign is counted by a job: the page shows its progress and, at its end, the counts.
    from services.applications import campaign_dashboard
    monkeypatch.setattr(campaign_dashboard, "INLINE_COUNT", 0)
    mongo("applications").dashboards.delete_one({"_id": cid})
    counting = text(admin.get(f"/dashboard?campaign_id={cid}"))
    assert "统计申报数据" in counting and "正在重新统计" in counting and "data-job-url" in counting
    job, page = job_done(admin, f"/dashboard?campaign_id={cid}")
    assert job is None or job["state"] == "succeeded"      # the page read again needs no job
    assert "data-job-url" not in page and "正在重新统计" not in page
    charts = json.loads(re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', page,
                                  re.S).group(1))
    assert sorted(charts["byCollege"]["labels"]) == ["机电与信息工程学院", "经济管理学院"]
    assert charts["overTime"]["labels"][-1] == datetime.now(SHANGHAI).date().isoformat()
    approved = next(d for d in charts["overTime"]["datasets"] if d["state"] == "approved")
    assert approved["data"][-1] == 1
    assert charts["reviewers"]["names"] == ["冯教授"]
    # their totals 50 and 90, drawn as a box: [lowest, Q1, median, Q3, highest]
    assert charts["reviewers"]["before"][0] == [50.0, 60.0, 70.0, 80.0, 90.0] == charts["reviewers"]["after"][0]
    assert page.count("<canvas") == 3 and page.count("<table") == 3     # no funding yet: no budget chart
    assert "/static/vendor/chart.umd.js" in page
    assert admin.get("/static/vendor/chart.umd.js").status_code == 200
    assert winner.get(f"/dashboard?campaign_id={cid}").status_code == 403


def test_a_college_campaign_regrades_on_objection_and_nominates_within_the_quota(ready, gateway_app, config, mongo):
    """A school campaign taking one nominee per college; the college's admin runs a
    college campaign under it: an upheld objection regrades an entry (the list is
    re-noticed), the list is finalised, a nomination over the quota is refused with
    the quota named, one within it is made and the quota shows used / remaining."""
    from tests.integration.lifecycle_helpers import publish_results
    rpc = ready
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    window = {"application_opens_at": local(now - timedelta(days=1)),
              "application_closes_at": local(now + timedelta(days=7))}
    admin, csrf = client_of(gateway_app, "admin")
    school = admin.post("/admin/campaigns", data=dict(window, csrf_token=csrf, program="pilot_branches",
                                                      title="校级对标争先（推荐）", academic_year="2026-2027",
                                                      unit_id="school_demo", per_college="1"))
    assert school.status_code == 302
    school_id = school.headers["Location"].rsplit("/", 1)[1]
    assert rpc.applications.get_campaign("p_admin", school_id)["nomination_quota"] == {"per_college": 1}

    college, college_csrf = client_of(gateway_app, "college_admin_me")
    base = dict(window, csrf_token=college_csrf, program="pilot_branches", title="机电学院对标争先",
                academic_year="2026-2027", unit_id="college_me")
    refused = college.post("/admin/campaigns", data=dict(base, per_college="2"))   # a quota is the school's
    assert refused.status_code == 422 and 'id="i-nomination_quota-error"' in text(refused)
    opened = college.post("/admin/campaigns", data=dict(base, parent_campaign_id=school_id))
    assert opened.status_code == 302, text(opened)[:1500]
    cid = opened.headers["Location"].rsplit("/", 1)[1]
    me1 = college_approved(rpc, cid, "p_2023010101", "branch_me1", "p_counselor_me")
    me2 = college_approved(rpc, cid, "p_2023010201", "branch_me2", "p_counselor_me")
    publish_results(config, mongo, cid, [(me1, "key", "重点", 91.0), (me2, "general", "一般", 80.0)], [])

    assert college.post(f"/admin/campaigns/{cid}/notice", data={"csrf_token": college_csrf}).status_code == 302
    v1 = rpc.applications.get_notice("p_college_admin_me", cid)
    wang, wang_csrf = client_of(gateway_app, "2023010102")
    page = text(wang.get(f"/campaigns/{cid}/notice"))
    assert wang.post(f"/campaigns/{cid}/notice/objections", data={
        "csrf_token": wang_csrf, "notice_id": v1["id"], "application_id": me2, "nonce": nonce_of(page),
        "reason": "该支部工作突出，应评为重点"}).status_code == 302
    [obj] = rpc.applications.list_objections("p_college_admin_me", v1["id"])
    page = text(college.get(f"/admin/campaigns/{cid}/notice"))
    assert 'value="grade:key"' in page and 'value="remove"' in page
    assert college.post(f"/admin/campaigns/{cid}/objections/{obj['id']}/resolve", data={
        "csrf_token": college_csrf, "notice_id": v1["id"], "decision": "upheld", "change": "grade:key",
        "reply": "经复核，改评为重点。", "nonce": nonce_of(page)}).status_code == 302
    assert wait(lambda: rpc.applications.get_notice("p_college_admin_me", cid)["version"] == 2)
    v2 = rpc.applications.get_notice("p_college_admin_me", cid)
    assert [e["grade"] for e in v2["entries"]] == ["key", "key"]
    assert "版本 2" in text(college.get(f"/admin/campaigns/{cid}/notice"))

    end_period(mongo, v2["id"])
    finalised = college.post(f"/admin/campaigns/{cid}/finalise", data={"csrf_token": college_csrf,
                                                                       "notice_id": v2["id"]})
    assert finalised.status_code == 302 and job_done(college, finalised.headers["Location"])[0]["state"] == "succeeded"
    page = text(college.get(f"/admin/campaigns/{cid}/notice"))
    assert 'name="application_id"' in page and "推荐上报" in page

    over = college.post(f"/admin/campaigns/{cid}/nominate", data={"csrf_token": college_csrf,
                                                                  "application_id": [me1, me2]})
    assert over.status_code == 302                           # the job says why it failed, on the page
    refused, page = job_done(college, over.headers["Location"])
    assert refused["state"] == "failed" and "名额" in page[page.index('id="job"'):]
    assert rpc.applications.list_nominations("p_college_admin_me", cid)["colleges"][0]["used"] == 0
    one = college.post(f"/admin/campaigns/{cid}/nominate", data={"csrf_token": college_csrf, "application_id": [me1]})
    assert one.status_code == 302 and job_done(college, one.headers["Location"])[0]["result"]["nominated"] == 1
    page = text(college.get(f"/admin/campaigns/{cid}/notice"))
    row = re.search(r"<td>机电与信息工程学院</td><td>(\d+)</td><td>(\d+)</td>\s*<td>(\d+)</td>", page)
    assert row and row.groups() == ("1", "1", "0")               # quota, used, remaining
    assert "机电学院学生第一党支部" in page[page.index('id="nominations"'):]


def _lists_come_a_page_at_a_time(admin, cid, monkeypatch):
    """A school campaign has tens of thousands of assignments and thousands of ranked
    applications: the page shows one page of each with links on (here one row a page)."""
    from gateway.web import pages_admin
    monkeypatch.setattr(pages_admin, "ASSIGNMENTS_PAGE", 1)
    monkeypatch.setattr(pages_admin, "RANKING_PAGE", 1)
    monkeypatch.setattr(pages_admin, "APPS_SHOWN", 1)

    first = text(admin.get(f"/admin/campaigns/{cid}"))
    listed = _section(first, "documents")
    assert "申报数：2（下表为最新 1 份）" in listed
    assert html.unescape(f'href="/review?campaign_id={cid}&state=all"') in html.unescape(listed)
    assigned = _section(first, "assignments")
    assert "共 2 条分配，本页 1 条" in assigned and "冯教授 × 2" in assigned
    names = ("机电学院学生第一党支部", "经管学院学生第一党支部")
    shown = [n for n in names if n in assigned]         # (in the order of the applications' ids)
    assert len(shown) == 1
    following = html.unescape(re.search(r'href="([^"]*assignments_after=[^"]*)"', assigned).group(1))
    assigned = _section(text(admin.get(following)), "assignments")
    assert [n for n in names if n in assigned] == [n for n in names if n not in shown]
    assert "assignments_after=" not in assigned and "第一页" in assigned

    ranked = _section(first, "results")
    assert "显示第 1–1 条，共 2 条" in ranked and "机电学院学生第一党支部" in ranked and 'class="cut-line"' in ranked
    assert "经管学院学生第一党支部" not in ranked and "上一页" not in ranked
    following = html.unescape(re.search(r'href="([^"]*ranking_from=1[^"]*)"', ranked).group(1))
    ranked = _section(text(admin.get(following)), "results")
    assert "显示第 2–2 条，共 2 条" in ranked and "经管学院学生第一党支部" in ranked and "上一页" in ranked
    assert ranked.index('class="cut-line"') < ranked.index("经管学院学生第一党支部")
    assert "下一页" not in ranked


def _section(page, name):
    """The part of `page` from the heading `name` to the end of its section."""
    rest = page[page.index(f'id="{name}"'):]
    return rest[:rest.index("</section>")]
