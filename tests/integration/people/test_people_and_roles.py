"""People directory and role grants through the gateway: real services, bus and database."""
from tests.integration.helpers import campaign_payload

ADMIN, COLLEGE_ADMIN, COUNSELOR_ME, SECRETARY = "admin", "college_admin_me", "counselor_me", "2023010101"


def _grant(http, login, person_id, **payload):
    return http.as_(login, "POST", f"/api/people/{person_id}/roles", json=payload)


def test_search_person_page_and_scope(http):
    found = http.as_(ADMIN, "GET", "/api/people?q=李").json
    assert "p_2023010101" in [p["id"] for p in found["items"]] and found["total"] >= 1
    first = http.as_(ADMIN, "GET", "/api/people?limit=3").json
    second = http.as_(ADMIN, "GET", f"/api/people?limit=3&after={first['next']}").json
    assert len(first["items"]) == 3 and not {p["id"] for p in first["items"]} & {p["id"] for p in second["items"]}
    by_no = http.as_(ADMIN, "GET", "/api/people?q=2023020101").json
    assert [p["name"] for p in by_no["items"]] == ["陈静"]
    # q is a prefix of the 学号, the 工号 or the name, or the login itself: each looked up on
    # its own and merged; pages by key through the merged list, and the count is distinct
    assert "孙辅导员" in [p["name"] for p in http.as_(ADMIN, "GET", "/api/people?q=counselor_me").json["items"]]
    every = http.as_(ADMIN, "GET", "/api/people?q=2023&limit=100").json
    assert len(every["items"]) >= 3 and every["total"] == len(every["items"])
    assert all(p.get("student_no", "").startswith("2023") for p in every["items"]), every["items"]
    walked, after = [], None
    while True:
        page = http.as_(ADMIN, "GET", "/api/people?q=2023&limit=2" + (f"&after={after}" if after else "")).json
        walked += [p["id"] for p in page["items"]]
        after = page["next"]
        if not after:
            break
    assert walked == [p["id"] for p in every["items"]] == sorted(walked)
    dorm_leaders = http.as_(ADMIN, "GET", "/api/people?role=branch_secretary").json
    assert {p["id"] for p in dorm_leaders["items"]} >= {"p_2023010101", "p_2023020101"}
    # a counselor sees their college only
    em = http.as_(COUNSELOR_ME, "GET", "/api/people?q=陈静").json
    assert em["items"] == []
    assert http.as_(COUNSELOR_ME, "GET", "/api/people/p_2023020101").status_code == 403
    # an applicant sees their own record, dorm included, and only the advisors of their school in search
    mine = http.as_(SECRETARY, "GET", "/api/people/me").json
    assert mine["dorm_name"] and mine["class_name"] and any(r["role"] == "branch_secretary" for r in mine["roles"])
    assert "password_hash" not in mine and "role_keys" not in mine
    picker = http.as_(SECRETARY, "GET", "/api/people").json
    assert all(set(p) <= {"id", "name", "college_id", "college_name", "title"} for p in picker["items"])
    assert http.as_(SECRETARY, "GET", "/api/people/p_2023010102").status_code == 403
    bad = http.as_(ADMIN, "GET", "/api/people?role=king")
    assert bad.status_code == 422 and "role" in str(bad.json)
    # a person's applications: their own (drafts included) to them, only what others may see to others
    campaign = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload()).json
    draft = http.as_(SECRETARY, "POST", f"/api/campaigns/{campaign['id']}/applications", json={"form": {}}).json
    assert draft["id"] in [a["id"] for a in http.as_(SECRETARY, "GET", "/api/people/me").json["applications"]]
    assert http.as_(ADMIN, "GET", "/api/people/p_2023010101").json["applications"] == []


def test_grants_take_effect_at_once_are_audited_and_bad_input_changes_nothing(http):
    target = "p_2023010202"   # 刘洋, a student of college_me living in dorm_me1
    # the college admin may not grant a college admin, nor at another college's unit
    refused = _grant(http, COLLEGE_ADMIN, target, role="college_admin", unit_id="college_me", reason="任命")
    assert refused.status_code == 403 and refused.json["field"] == "role" and refused.json["message_zh"]
    other = _grant(http, COLLEGE_ADMIN, target, role="counselor", unit_id="college_em", reason="任命")
    assert other.status_code == 403
    wrong_kind = _grant(http, COLLEGE_ADMIN, target, role="dorm_leader", unit_id="college_me", reason="推选")
    assert wrong_kind.status_code == 422 and "unit_id" in str(wrong_kind.json)
    unknown = _grant(http, COLLEGE_ADMIN, "p_nobody", role="dorm_leader", unit_id="dorm_me1", reason="推选")
    assert unknown.status_code == 404 and unknown.json["field"] == "person_id"
    no_reason = _grant(http, COLLEGE_ADMIN, target, role="dorm_leader", unit_id="dorm_me1")
    assert no_reason.status_code == 422 and "reason" in str(no_reason.json)
    bad_year = _grant(http, COLLEGE_ADMIN, target, role="dorm_leader", unit_id="dorm_me1", reason="推选",
                      academic_year="2025")
    assert bad_year.status_code == 422 and "academic_year" in str(bad_year.json)
    page = http.as_(COLLEGE_ADMIN, "GET", f"/api/people/{target}").json
    assert [r["role"] for r in page["roles"]] == ["student"] and page["history"] == []

    ok = _grant(http, COLLEGE_ADMIN, target, role="dorm_leader", unit_id="dorm_me1", reason="寝室推选")
    assert ok.status_code == 201, ok.json
    dup = _grant(http, COLLEGE_ADMIN, target, role="dorm_leader", unit_id="dorm_me1", reason="再次")
    assert dup.status_code == 409 and dup.json["field"] == "role"
    page = http.as_(COLLEGE_ADMIN, "GET", f"/api/people/{target}").json
    leader = next(r for r in page["roles"] if r["role"] == "dorm_leader")
    assert leader["current"] and leader["unit_name"] == "北苑3号楼301" and leader["granted_by"]["name"] == "郑书记"
    assert [(e["action"], e["reason"], e["by"]["name"]) for e in page["history"]] == [("grant", "寝室推选", "郑书记")]
    # at once: the new dorm leader is found as the dorm's representative
    assert any(r["role"] == "dorm_leader" for r in http.as_("2023010202", "GET", "/api/people/me").json["roles"])
    log = http.as_(COLLEGE_ADMIN, "GET", "/api/people/grants").json
    assert log[0]["person_id"] == target and log[0]["label"] == "寝室长"

    revoked = http.as_(COLLEGE_ADMIN, "POST", f"/api/people/{target}/roles/{leader['grant_id']}/revoke",
                       json={"reason": "毕业离校"})
    assert revoked.status_code == 200, revoked.json
    page = http.as_(COLLEGE_ADMIN, "GET", f"/api/people/{target}").json
    assert [r["role"] for r in page["roles"]] == ["student"]
    assert [e["action"] for e in page["history"]] == ["revoke", "grant"]
    # a counselor may not revoke
    again = _grant(http, COLLEGE_ADMIN, target, role="dorm_leader", unit_id="dorm_me1", reason="重新推选")
    gid = again.json["grant_id"]
    assert http.as_(COUNSELOR_ME, "POST", f"/api/people/{target}/roles/{gid}/revoke",
                    json={"reason": "x" * 5}).status_code == 403


def test_an_ended_academic_year_role_no_longer_counts(http):
    # granted for a year long past: held on record, never in force
    ok = _grant(http, ADMIN, "p_2023010102", role="reviewer", unit_id="school_demo", reason="往年评审",
                academic_year="2020-2021")
    assert ok.status_code == 201, ok.json
    page = http.as_(ADMIN, "GET", "/api/people/p_2023010102").json
    assert [r["current"] for r in page["roles"] if r["role"] == "reviewer"] == [False]
    me = http.as_("2023010102", "GET", "/api/people/me").json
    assert [r["current"] for r in me["roles"] if r["role"] == "reviewer"] == [False]
    reviewers = http.as_(ADMIN, "GET", "/api/people?role=reviewer").json
    assert "p_2023010102" in [p["id"] for p in reviewers["items"]]
    assert not any(r["label"] == "评审专家" for p in reviewers["items"] if p["id"] == "p_2023010102"
                   for r in p["role_labels"])


def test_school_admin_grants_college_admin_who_grants_counselor(http, rpc):
    added = http.as_(ADMIN, "POST", "/api/people", json={"name": "钱专家", "staff_no": "E1001",
                                                        "unit_id": "school_demo", "title": "校外专家"})
    assert added.status_code == 201, added.json
    assert http.as_(ADMIN, "POST", "/api/people", json={"name": "钱专家", "staff_no": "E1001",
                                                       "unit_id": "school_demo"}).status_code == 409
    assert http.as_(COLLEGE_ADMIN, "POST", "/api/people", json={"name": "某人", "staff_no": "E1002",
                                                               "unit_id": "college_em"}).status_code == 403
    # two new teachers with a log-in (passwords are the accounts' business; the installer's seeding sets them)
    from deploy.demo_data import DEMO_PASSWORD
    rpc.applications.seed_directory([], [
        {"_id": f"p_{no}", "login": no, "staff_no": no, "name": name, "school_id": "school_demo",
         "college_id": "college_em", "password": DEMO_PASSWORD, "roles": []}
        for no, name in (("T1001", "钱老师"), ("T1002", "孙老师"))])
    assert http.as_("T1001", "GET", "/api/people?q=陈静").status_code == 200
    assert http.as_("T1001", "GET", "/api/people?q=陈静").json["items"] == []   # no role: advisors only
    assert _grant(http, ADMIN, "p_T1001", role="college_admin", unit_id="college_em", reason="任命").status_code == 201
    # the grant counts at once, with the same token
    assert http.as_("T1001", "GET", "/api/people?q=陈静").json["items"][0]["name"] == "陈静"
    made = _grant(http, "T1001", "p_T1002", role="counselor", unit_id="college_em", reason="新任辅导员")
    assert made.status_code == 201, made.json
    assert http.as_("T1002", "GET", "/api/people?q=陈静").json["items"][0]["name"] == "陈静"
    everyone = http.as_(ADMIN, "GET", "/api/people/grants?all=true").json
    assert {(e["person_name"], e["label"]) for e in everyone} >= {("钱老师", "学院管理员"), ("孙老师", "辅导员")}
    assert http.as_("T1001", "GET", "/api/people/grants?all=true").status_code == 403


def test_concurrent_grants_to_one_person_are_all_kept_once(http):
    """Five grants at once to the same person: each conditional write either wins or
    is retried on fresh data, so none overwrites another; repeating one is refused."""
    import eventlet
    target = "p_2023010202"
    grants = [("counselor", "college_me"), ("reviewer", "college_me"), ("class_monitor", "class_me1"),
              ("league_secretary", "class_me1"), ("advisor", "college_me")]
    http.login(COLLEGE_ADMIN)
    pool = eventlet.GreenPool(5)
    statuses = list(pool.imap(lambda g: _grant(http, COLLEGE_ADMIN, target, role=g[0], unit_id=g[1],
                                               reason="批量任命").status_code, grants))
    assert statuses == [201] * 5
    page = http.as_(COLLEGE_ADMIN, "GET", f"/api/people/{target}").json
    assert sorted(r["role"] for r in page["roles"]) == sorted(["student"] + [g[0] for g in grants])
    assert len(page["history"]) == 5 and len({e["grant_id"] for e in page["history"]}) == 5
    assert len(http.as_(COLLEGE_ADMIN, "GET", "/api/people/grants").json) == 5
    bad_program = _grant(http, COLLEGE_ADMIN, target, role="league_secretary", unit_id="class_me1", reason="团支书",
                         program="no_such_program")
    assert bad_program.status_code == 422 and "program" in str(bad_program.json)


def test_roster_posts_set_roles_and_a_bad_post_imports_nothing(http):
    import io

    from tests.integration.helpers import finish_job

    def upload(text):
        return http.as_(ADMIN, "POST", "/api/directory/students",
                        data={"school_id": "school_demo", "file": (io.BytesIO(text.encode("utf-8-sig")), "名单.csv")},
                        content_type="multipart/form-data")

    header = "学号,姓名,学院,班级,年级,宿舍,党支部,职务"
    bad = finish_job(http, ADMIN, upload("\n".join([
        header, "2025990101,林一,机电与信息工程学院,软件2501班,2025,北苑9号楼101,,寝室长",
        "2025990102,林二,机电与信息工程学院,软件2501班,2025,,,寝室长"])))
    assert bad["state"] == "failed" and "宿舍" in str(bad["error"])
    assert http.as_(ADMIN, "GET", "/api/people?q=2025990101").json["items"] == []
    good = finish_job(http, ADMIN, upload("\n".join([
        header, "2025990101,林一,机电与信息工程学院,软件2501班,2025,北苑9号楼101,,寝室长、团支书",
        "2025990102,林二,机电与信息工程学院,软件2501班,2025,北苑9号楼101,机电学院学生第九党支部,班长、支部副书记"])))
    assert good["state"] == "succeeded", good
    lin1 = http.as_(ADMIN, "GET", "/api/people/p_2025990101").json
    assert {(r["role"], r["unit_name"]) for r in lin1["roles"]} == {
        ("student", "软件2501班"), ("dorm_leader", "北苑9号楼101"), ("league_secretary", "软件2501班")}
    assert sorted((e["action"], e["label"], e["reason"]) for e in lin1["history"]) == [
        ("grant", "团支书", "名单导入 roster import"), ("grant", "寝室长", "名单导入 roster import")]
    lin2 = http.as_(ADMIN, "GET", "/api/people/p_2025990102").json
    assert {r["role"] for r in lin2["roles"]} == {"student", "class_monitor", "branch_deputy"}
    # a later import without the post takes it away (posts come from the registrar's export)
    finish_job(http, ADMIN, upload("\n".join([
        header, "2025990101,林一,机电与信息工程学院,软件2501班,2025,北苑9号楼101,,"])))
    lin1 = http.as_(ADMIN, "GET", "/api/people/p_2025990101").json
    assert [r["role"] for r in lin1["roles"]] == ["student"]
    assert sorted((e["action"], e["label"]) for e in lin1["history"]) == [
        ("grant", "团支书"), ("grant", "寝室长"), ("revoke", "团支书"), ("revoke", "寝室长")]
    assert all(e["by"]["name"] == "校学工部管理员" for e in lin1["history"])
    logged = http.as_(ADMIN, "GET", "/api/people/grants?all=true").json
    assert sum(1 for e in logged if e["person_id"] == "p_2025990101") == 4
