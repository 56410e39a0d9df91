"""Campaign levels, the campaign admin, and nomination upward (推荐上报) through the
real gateway, services, RabbitMQ and Mongo wire server.

The final list is written by the public-notice code (`final_lists/<campaign_id>`);
these tests write that document themselves with pymongo, in the shape the contract
gives, so nomination is tested on its own. Most of the college campaign's listed
applications are written the same way (an approved application as the workflow
leaves it): one goes through the whole real flow, so attachments and the college
admin's decision are the real thing.
"""
import io
from datetime import datetime, timezone

import eventlet
import pytest

from deploy.demo_data import COLLEGES, DEMO_PASSWORD
from services.applications.directory import make_unit
from tests.integration.helpers import PDF, campaign_payload, good_form
from tests.integration.helpers import as_job

ADMIN = "admin"
COLLEGE_ADMIN = "college_admin_me"
COLLEGE_ADMIN_EM = "college_admin_em"  # seeded below: the demo directory has no college_em admin
COUNSELOR = "counselor_me"
SECRETARY = "2023010101"      # branch_me1
SECRETARY_ME2 = "2023010201"  # branch_me2


@pytest.fixture
def config(config):
    # A second program, so that a parent campaign of another program can be opened.
    config["PROGRAMS"] = ["pilot_branches", "benchmark_branches"]
    return config


@pytest.fixture
def world(rpc):
    """The demo directory plus a college_em admin and ten more branches of college_me;
    a second program registered under an installed name (benchmark_branches) — its
    plugin may not be in the tree yet, so the pilot's declaration renamed stands in:
    all that matters here is that it is another program."""
    from plugins.pilot_branches.program import PROGRAM
    rpc.applications.register_program(dict(PROGRAM.declaration(), name="benchmark_branches",
                                           title_zh="标杆院系", title_en="Benchmark branches"))
    branches = [make_unit("branch", f"机电学院测试党支部{i:02d}", COLLEGES["me"], unit_id_=f"branch_mex{i:02d}")
                for i in range(10)]
    admin_em = {"_id": "p_college_admin_em", "login": COLLEGE_ADMIN_EM, "name": "经管学院管理员",
                "school_id": "school_demo", "password": DEMO_PASSWORD,
                "roles": [{"role": "college_admin", "unit_id": "college_em"}]}
    rpc.applications.seed_directory(branches, [admin_em])
    return branches


def open_pair(http, per_college=2):
    school = http.as_(ADMIN, "POST", "/api/campaigns",
                      json=campaign_payload(nomination_quota={"per_college": per_college}))
    assert school.status_code == 201, school.json
    college = http.as_(COLLEGE_ADMIN, "POST", "/api/campaigns", json=campaign_payload(
        title="机电学院对标争先", unit_id="college_me", parent_campaign_id=school.json["id"]))
    assert college.status_code == 201, college.json
    return school.json, college.json


def approved_application(db, campaign, branch):
    """An application of `branch` as the workflow leaves an approved one."""
    now = datetime.now(timezone.utc)
    app_id = f"app_test_{campaign['id'][-6:]}_{branch['_id']}"
    db.applications.insert_one({
        "_id": app_id, "campaign_id": campaign["id"], "program": campaign["program"],
        "program_version": campaign["program_version"], "applicant_kind": "branch", "applicant_id": branch["_id"],
        "applicant_name": branch["name"], "unit_path": branch["path"], "college_id": branch["college_id"],
        "state": "approved", "form": good_form(title=f"{branch['name']}项目"), "version": 5, "created_at": now,
        "updated_at": now, "submitted_at": now, "first_submitted_at": now, "attachment_counts": {}})
    return app_id


def write_final_list(db, campaign, app_ids):
    """The final list in the contract's shape (entries ranked in the order given)."""
    entries = []
    for rank, app_id in enumerate(app_ids, start=1):
        app = db.applications.find_one({"_id": app_id})
        entries.append({"application_id": app_id, "applicant_id": app["applicant_id"],
                        "applicant_name": app["applicant_name"], "college_id": app["college_id"],
                        "grade": "excellent" if rank == 1 else "good", "grade_name_zh": "优秀" if rank == 1 else "良好",
                        "category": None, "category_name_zh": None, "rank": rank, "total": 95.0 - rank})
    db.final_lists.insert_one({"_id": campaign["id"], "campaign_id": campaign["id"], "entries": entries,
                               "finalised_at": datetime.now(timezone.utc)})


def nominate(http, login, campaign_id, app_ids):
    return as_job(http, login, "POST", f"/api/campaigns/{campaign_id}/nominations", json={"application_ids": app_ids})


def test_levels_campaign_admin_and_nomination(http, mongo, world, events):
    db = mongo("applications")
    school, college = open_pair(http)
    assert (school["level"], college["level"]) == ("school", "college")
    assert school["nomination_quota"] == {"per_college": 2} and college["parent_campaign_id"] == school["id"]
    assert http.as_(COLLEGE_ADMIN, "GET", f"/api/campaigns/{college['id']}").json["level"] == "college"
    # A campaign from before levels reads as school-level.
    db.campaigns.update_one({"_id": school["id"]}, {"$unset": {"level": ""}})
    assert http.as_(ADMIN, "GET", f"/api/campaigns/{school['id']}").json["level"] == "school"
    db.campaigns.update_one({"_id": school["id"]}, {"$set": {"level": "school"}})

    # Opening: who, where, and what a parent may be — each refused changes nothing.
    before = db.campaigns.count_documents({})
    at_branch = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload(unit_id="branch_me1"))
    assert at_branch.status_code == 422 and at_branch.json["field"] == "unit_id"
    assert "branch_me1" in at_branch.json["message"] and "branch_me1" in at_branch.json["message_zh"]
    other_college = http.as_(COLLEGE_ADMIN, "POST", "/api/campaigns", json=campaign_payload(unit_id="college_em"))
    assert other_college.status_code == 403
    school_by_college_admin = http.as_(COLLEGE_ADMIN, "POST", "/api/campaigns", json=campaign_payload())
    assert school_by_college_admin.status_code == 403
    quota_on_college = http.as_(COLLEGE_ADMIN, "POST", "/api/campaigns", json=campaign_payload(
        unit_id="college_me", nomination_quota={"per_college": 1}))
    assert quota_on_college.status_code == 422 and quota_on_college.json["field"] == "nomination_quota"
    bad_quota = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload(nomination_quota={"per_college": 0}))
    assert bad_quota.status_code == 422 and bad_quota.json["field"] == "nomination_quota.per_college"
    no_parent = http.as_(COLLEGE_ADMIN, "POST", "/api/campaigns", json=campaign_payload(
        unit_id="college_me", parent_campaign_id="cmp_nope"))
    assert no_parent.status_code == 422 and no_parent.json["field"] == "parent_campaign_id"
    other_program = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload(program="benchmark_branches"))
    assert other_program.status_code == 201, other_program.json
    wrong_program = http.as_(COLLEGE_ADMIN, "POST", "/api/campaigns", json=campaign_payload(
        unit_id="college_me", parent_campaign_id=other_program.json["id"]))
    assert wrong_program.status_code == 422 and wrong_program.json["field"] == "parent_campaign_id"
    assert "benchmark_branches" in wrong_program.json["message"]
    college_parent = http.as_(COLLEGE_ADMIN, "POST", "/api/campaigns", json=campaign_payload(
        unit_id="college_me", parent_campaign_id=college["id"]))
    assert college_parent.status_code == 422 and college_parent.json["field"] == "parent_campaign_id"
    assert db.campaigns.count_documents({}) == before + 1  # only the other program's campaign

    # The real flow in the college campaign: the college admin decides (school side).
    app = http.as_(SECRETARY, "POST", f"/api/campaigns/{college['id']}/applications", json={"form": good_form()}).json
    upload = http.as_(SECRETARY, "POST", f"/api/applications/{app['id']}/attachments",
                      data={"kind": "application_form", "file": (io.BytesIO(PDF), "项目申请表.pdf")},
                      content_type="multipart/form-data")
    assert upload.status_code == 201, upload.json
    for login, action in ((SECRETARY, "submit"), (COUNSELOR, "college_approve")):
        assert http.as_(login, "POST", f"/api/applications/{app['id']}/actions",
                        json={"action": action}).status_code == 200
    assert http.as_(COUNSELOR, "POST", f"/api/applications/{app['id']}/actions",
                    json={"action": "approve"}).status_code == 403
    decided = http.as_(COLLEGE_ADMIN, "POST", f"/api/applications/{app['id']}/actions", json={"action": "approve"})
    assert decided.status_code == 200 and decided.json["state"] == "approved"

    # Before the final list there is nothing to nominate from.
    early = nominate(http, COLLEGE_ADMIN, college["id"], [app["id"]])
    assert early.status_code == 409 and early.json["field"] == "final_list"

    me2 = {"_id": "branch_me2", "name": "机电学院学生第二党支部", "path": ["school_demo", "college_me", "branch_me2"],
           "college_id": "college_me"}
    direct = [approved_application(db, college, b) for b in world[:3]]
    me2_app = approved_application(db, college, me2)
    write_final_list(db, college, [app["id"], *direct, me2_app])

    # Only the college campaign's admin nominates, only what is on the list.
    assert nominate(http, COLLEGE_ADMIN_EM, college["id"], [app["id"]]).status_code == 403
    assert nominate(http, COUNSELOR, college["id"], [app["id"]]).status_code == 403
    assert nominate(http, ADMIN, school["id"], [app["id"]]).json["field"] == "parent_campaign_id"
    off_list = nominate(http, COLLEGE_ADMIN, college["id"], [app["id"], "app_not_listed"])
    assert off_list.status_code == 422 and off_list.json["details"][0]["field"] == "application_ids.1"
    assert nominate(http, COLLEGE_ADMIN, college["id"], []).status_code == 422

    # Three at once against a quota of two: all or nothing.
    three = nominate(http, COLLEGE_ADMIN, college["id"], [app["id"], direct[0], direct[1]])
    assert three.status_code == 409 and three.json["code"] == "quota_exceeded"
    assert three.json["field"] == "nomination_quota" and three.json["details"]["quota"] == 2
    assert db.applications.count_documents({"campaign_id": school["id"]}) == 0

    # Two accepted, then the third refused naming the quota.
    two = nominate(http, COLLEGE_ADMIN, college["id"], [app["id"], direct[0]])
    assert two.status_code == 200, two.json
    assert [n["created"] for n in two.json["nominations"]] == [True, True]
    assert (two.json["used"], two.json["quota"]) == (2, 2)
    third = nominate(http, COLLEGE_ADMIN, college["id"], [direct[1]])
    assert third.status_code == 409 and third.json["code"] == "quota_exceeded"
    assert third.json["details"] == {"quota": 2, "used": 2, "requested": 1, "college_id": "college_me",
                                     "parent_campaign_id": school["id"]}
    assert "2" in third.json["message_zh"] and "名额" in third.json["message_zh"]

    # A repeat is a no-op; an applicant who applied to the parent directly is a conflict.
    again = nominate(http, COLLEGE_ADMIN, college["id"], [app["id"]])
    assert again.status_code == 200 and again.json["nominations"][0]["created"] is False
    assert again.json["nominations"][0]["id"] == two.json["nominations"][0]["id"] and again.json["used"] == 2
    own = http.as_(SECRETARY_ME2, "POST", f"/api/campaigns/{school['id']}/applications", json={"form": {}})
    assert own.status_code == 201, own.json
    clash = nominate(http, COLLEGE_ADMIN, college["id"], [me2_app])
    assert clash.status_code == 409 and clash.json["code"] == "conflict" and clash.json["field"] == "application_ids"
    assert db.applications.count_documents({"campaign_id": school["id"], "nominated_from": {"$exists": True}}) == 2
    assert db.nomination_quotas.find_one({"_id": f"{school['id']}:college_me"})["count"] == 2

    # The nominee: college-approved in the school campaign, with form, results and files.
    nominee_id = two.json["nominations"][0]["id"]
    nominee = http.as_(ADMIN, "GET", f"/api/applications/{nominee_id}").json
    assert (nominee["campaign_id"], nominee["state"], nominee["applicant_id"]) == (
        school["id"], "college_approved", "branch_me1")
    assert nominee["form"] == decided.json["form"]
    assert nominee["nominated_from"] == {"campaign_id": college["id"], "application_id": app["id"],
                                         "college_id": "college_me", "rank": 1, "total": 94.0,
                                         "grade": "excellent", "grade_name_zh": "优秀"}
    [copied] = nominee["attachments"]
    assert copied["filename"] == "项目申请表.pdf" and copied["id"] != upload.json["id"]
    body = http.as_(ADMIN, "GET", f"/api/applications/{nominee_id}/attachments/{copied['id']}")
    assert body.status_code == 200 and body.data == PDF
    trail = http.as_(ADMIN, "GET", f"/api/applications/{nominee_id}/audit").json
    assert [(e["action"], e["from"], e["to"]) for e in trail] == [("nominate", None, "college_approved")]
    assert trail[0]["by"]["id"] == "p_college_admin_me"
    # The school decides on it as on any college-approved application.
    assert http.as_(ADMIN, "POST", f"/api/applications/{nominee_id}/actions",
                    json={"action": "approve"}).json["state"] == "approved"

    # Listings: the school admin sees every college; the college admin their own.
    listing = http.as_(ADMIN, "GET", f"/api/campaigns/{school['id']}/nominations")
    assert listing.status_code == 200, listing.json
    [group] = listing.json["colleges"]
    assert (group["college_id"], group["used"], group["quota"]) == ("college_me", 2, 2)
    assert [n["nominated_from"]["rank"] for n in group["nominations"]] == [1, 2]
    assert group["nominations"][1]["nominated_from"]["grade_name_zh"] == "良好"
    own_view = http.as_(COLLEGE_ADMIN, "GET", f"/api/campaigns/{college['id']}/nominations").json
    assert [n["id"] for n in own_view["colleges"][0]["nominations"]] == [n["id"] for n in group["nominations"]]
    from_above = http.as_(COLLEGE_ADMIN, "GET", f"/api/campaigns/{school['id']}/nominations").json
    assert [g["college_id"] for g in from_above["colleges"]] == ["college_me"]
    em_view = http.as_(COLLEGE_ADMIN_EM, "GET", f"/api/campaigns/{school['id']}/nominations").json
    assert [(g["college_id"], g["nominations"]) for g in em_view["colleges"]] == [("college_em", [])]
    assert http.as_(COUNSELOR, "GET", f"/api/campaigns/{school['id']}/nominations").status_code == 403
    assert http.as_(COLLEGE_ADMIN_EM, "GET", f"/api/campaigns/{college['id']}/nominations").status_code == 403

    # Each nominee's event once, through the outbox.
    for _ in range(50):
        if len([e for e in events if e["type"] == "application.college_approved"]) >= 3:
            break
        eventlet.sleep(0.1)
    eventlet.sleep(0.5)
    approved_events = [e for e in events if e["type"] == "application.college_approved"]
    assert sorted(e["data"]["application_id"] for e in approved_events) == sorted(
        [app["id"], *(n["id"] for n in two.json["nominations"])])
    assert [a["_id"] for a in db.applications.find({"campaign_id": school["id"]}) if a.get("outbox")] == []

    spec = http.client.get("/api/openapi.json").json
    assert {"get", "post"} <= set(spec["paths"]["/api/campaigns/{campaign_id}/nominations"])


def test_concurrent_nominations_take_the_quota_once(http, mongo, world):
    db = mongo("applications")
    school, college = open_pair(http)
    listed = [approved_application(db, college, b) for b in world]
    write_final_list(db, college, listed)
    http.login(COLLEGE_ADMIN)
    pool = eventlet.GreenPool(10)
    responses = list(pool.imap(lambda app_id: nominate(http, COLLEGE_ADMIN, college["id"], [app_id]), listed))
    statuses = [r.status_code for r in responses]
    assert sorted(statuses) == [200] * 2 + [409] * 8, statuses
    assert all(r.json["code"] == "quota_exceeded" for r in responses if r.status_code == 409)
    assert db.applications.count_documents({"campaign_id": school["id"]}) == 2
    assert db.nomination_quotas.find_one({"_id": f"{school['id']}:college_me"})["count"] == 2

    # Ten concurrent repeats of an accepted one: the same nominee, no slot taken.
    winner = next(app_id for app_id, r in zip(listed, responses) if r.status_code == 200)
    repeats = list(pool.imap(lambda _i: nominate(http, COLLEGE_ADMIN, college["id"], [winner]), range(10)))
    assert {r.status_code for r in repeats} == {200}
    assert {r.json["nominations"][0]["id"] for r in repeats} == {
        next(r for r in responses if r.status_code == 200 and
             r.json["nominations"][0]["nominated_from"]["application_id"] == winner).json["nominations"][0]["id"]}
    assert db.applications.count_documents({"campaign_id": school["id"]}) == 2
    assert db.nomination_quotas.find_one({"_id": f"{school['id']}:college_me"})["count"] == 2
