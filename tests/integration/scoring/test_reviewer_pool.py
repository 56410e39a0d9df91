"""The reviewer pool with its conflict preview, before assignment: through the API
and the page, against the real directory."""
from tests.integration.scoring import world
from tests.integration.web.test_applicant_pages import _web_login


def test_pool_from_people_of_any_role_with_conflicts_shown_before_assignment(http, gateway_app, scoring):
    campaign, apps = world.open_round(scoring, ("me1", "em1"))
    url = f"/api/scoring/campaigns/{campaign['id']}/reviewer-pool"
    default = http.as_("admin", "GET", url).json
    # no pool set: every reviewer of the school (rev_a..rev_f and 冯教授); the program's
    # rules for school-level review include the same college, so each college's two are out
    assert default["pool_size"] == 7 and not default["explicit_pool"] and default["policy"]["same_college"]
    assert [row["conflict_free"] for row in default["applications"]] == [5, 5]
    assert http.as_("counselor_me", "GET", url).status_code == 403

    # 王芳, a student of branch_me1 with no reviewer role, joins the pool from the page
    client = gateway_app.test_client()
    csrf = _web_login(client, "admin")
    page = client.get(f"/admin/campaigns/{campaign['id']}/reviewer-pool?q=王芳").get_data(as_text=True)
    assert "王芳" in page and "p_2023010102" in page   # the search result's add button
    added = client.post(f"/admin/campaigns/{campaign['id']}/reviewer-pool/add",
                        data={"csrf_token": csrf, "person_id": "p_2023010102"})
    assert added.status_code == 302
    preview = http.as_("admin", "GET", url).json
    assert preview["explicit_pool"] and preview["pool_size"] == 8
    by_app = {row["application_id"]: row for row in preview["applications"]}
    me1, em1 = by_app[apps["me1"]["id"]], by_app[apps["em1"]["id"]]
    assert {c["reviewer_name"]: c["kinds"] for c in me1["conflicts"]} == {
        "王芳": ["branch_id", "college_id"], "王老师": ["college_id"], "刘老师": ["college_id"]}
    assert me1["conflict_free"] == 5 and em1["conflict_free"] == 6

    # her reviewer role is for this campaign only: audited, ends with its year, unseen by other lookups
    record = http.as_("admin", "GET", "/api/people/p_2023010102").json
    granted = [r for r in record["roles"] if r["role"] == "reviewer"]
    assert granted[0]["campaign_id"] == campaign["id"] and granted[0]["academic_year"] == campaign["academic_year"]
    assert "评审专家库" in record["history"][0]["reason"] and granted[0]["scope_zh"] == campaign["title"]
    assert "p_2023010102" not in [p["id"] for p in scoring.applications.internal_people(["reviewer@school_demo"])]

    # the page says who is short of conflict-free reviewers, in words
    http.as_("admin", "PUT", f"/api/scoring/campaigns/{campaign['id']}/setup", json={"reviewers_per_application": 6})
    page = client.get(f"/admin/campaigns/{campaign['id']}/reviewer-pool").get_data(as_text=True)
    assert "同党支部" in page and "同学院" in page and "不足" in page and "branch_id" not in page
    # without the same-college rule only the branch remains, checked against the directory at once
    http.as_("admin", "PUT", f"/api/scoring/campaigns/{campaign['id']}/setup", json={"conflict": {"same_college": False}})
    preview = http.as_("admin", "GET", url).json
    me1 = {row["application_id"]: row for row in preview["applications"]}[apps["me1"]["id"]]
    assert [(c["reviewer_name"], c["kinds"]) for c in me1["conflicts"]] == [("王芳", ["branch_id"])]
    assert me1["conflict_free"] == 7 and me1["enough"] and preview["short"] == 0

    removed = client.post(f"/admin/campaigns/{campaign['id']}/reviewer-pool/remove",
                          data={"csrf_token": csrf, "person_id": "p_2023010102"})
    assert removed.status_code == 302 and http.as_("admin", "GET", url).json["pool_size"] == 7
