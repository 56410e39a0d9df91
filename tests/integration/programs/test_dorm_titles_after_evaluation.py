"""文明寝室's titles wait for the final evaluation, through the real gateway: after
the final list a dorm has no title; the mid-term check and the final evaluation are
reported by the 寝室长 and passed by the admin; only then the dorm receives its
type's title, and — one of its members being a veteran — the veteran-dorm title
退伍军人寝室 on top; a dorm without a veteran receives the type's title alone.

The demo directory's year-1 dorms and their leaders (deploy/demo_people.py: the
机电学院 dorm has a veteran, the 经管学院 one has none). The review is replaced by the
scoring service's event (as lifecycle_helpers.publish_results does, with the
category a dorm was selected in) and the notice period is ended through the database."""
from datetime import datetime, timezone

import pytest
from nameko.standalone.events import event_dispatcher

from core.envelope import make_event
from deploy import demo_data, demo_people
from tests.integration.helpers import as_job
from tests.integration.lifecycle_helpers import end_period, wait

pytestmark = pytest.mark.timeout(300)
ADMIN = "admin"


@pytest.fixture
def program_names():
    return ["civilized_dorms"]


FORM = {"types": ["environment"], "convention": "按时作息，爱护公物，互帮互助，保持整洁。",
        "work_basis": "坚持每周四理论学习，获评月度文明寝室。", "goals": "建成环境优美的示范寝室。",
        "measures": "每周大扫除，布置文化墙。", "expected_outputs": [{"id": "wall", "description": "建成寝室文化墙"}]}


def _results(config, mongo, campaign_id, app_ids):
    data = {"campaign_id": campaign_id, "round": 1, "program": "civilized_dorms",
            "selected": [{"application_id": a, "grade": "environment", "grade_name_zh": "环境优美型", "rank": i,
                          "total": 90.0 - i, "category": "environment"} for i, a in enumerate(app_ids, 1)],
            "rest": [], "cut_line": {"last_selected": None, "first_not_selected": None}}
    envelope = make_event("scoring.results_published", data, "scoring", actor={"id": "p_admin", "name": "管理员"},
                          event_id=f"scoring.results_published:{campaign_id}:1")
    event_dispatcher(config)("scoring", "scoring.results_published", envelope)
    assert wait(lambda: mongo("applications").shortlists.count_documents({"campaign_id": campaign_id}) == 1)


def test_titles_only_after_the_final_evaluation_with_the_veteran_title(rpc, http, config, mongo):
    now = datetime.now(timezone.utc)
    payload = demo_data.demo_campaign(now, "civilized_dorms")
    year = demo_people.first_year(payload["academic_year"])
    units, people = demo_people.directory(payload["academic_year"])
    rpc.applications.seed_directory([u for u in units if u.get("grade") == year or u["_id"].endswith(f"_{year}")],
                                    [p for p in people if p.get("grade") == year])
    campaign = rpc.applications.open_campaign("p_admin", payload)
    dorms = {"me": (f"{year}010901", f"dorm_me_{year}", "p_counselor_me"),
             "em": (f"{year}020901", f"dorm_em_{year}", "p_counselor_em")}
    apps = {}
    for key, (leader, dorm, counselor) in dorms.items():
        created = http.as_(leader, "POST", f"/api/campaigns/{campaign['id']}/applications",
                           headers={"Idempotency-Key": f"dorm-{key}"}, json={"applicant_id": dorm, "form": FORM})
        assert created.status_code == 201, created.json
        apps[key] = created.json["id"]
        submitted = http.as_(leader, "POST", f"/api/applications/{apps[key]}/actions", json={"action": "submit"})
        assert submitted.status_code == 200, submitted.json
        rpc.applications.act(counselor, apps[key], {"action": "college_approve"})
    _results(config, mongo, campaign["id"], [apps["me"], apps["em"]])
    notice = http.as_(ADMIN, "POST", f"/api/campaigns/{campaign['id']}/notice", json={}).json
    end_period(mongo, notice["id"])
    assert as_job(http, ADMIN, "POST", f"/api/notices/{notice['id']}/finalise").status_code == 200

    awards_url = f"/api/awards?campaign_id={campaign['id']}"

    def titles_of(app_id):
        return [a for a in http.as_(ADMIN, "GET", awards_url).json if a["application_id"] == app_id]

    for key, (leader, _dorm, _c) in dorms.items():
        url = f"/api/applications/{apps[key]}/stages"
        view = http.as_(leader, "GET", url).json
        assert view["awards_at"] == "final_evaluation" and view["awards"] == []
        assert http.as_(leader, "PUT", f"{url}/midterm/report", json={"summary": "文化墙已设计。"}).status_code == 200
        assert http.as_(ADMIN, "POST", f"{url}/midterm/assess", json={"result": "pass"}).status_code == 200
        assert titles_of(apps[key]) == []          # a passed mid-term check grants nothing
        final = {"summary": "文化墙建成。", "outputs": [{"id": "wall", "achieved": True, "evidence": "照片"}]}
        assert http.as_(leader, "PUT", f"{url}/final_evaluation/report", json=final).status_code == 200
        back = http.as_(ADMIN, "POST", f"{url}/final_evaluation/assess", json={"result": "return", "comment": "补照片"})
        assert back.status_code == 200 and titles_of(apps[key]) == []   # nor does a return
        assert http.as_(leader, "PUT", f"{url}/final_evaluation/report", json=final).status_code == 200
        assert http.as_(ADMIN, "POST", f"{url}/final_evaluation/assess", json={"result": "pass"}).status_code == 200

    by_app = {}
    for award in http.as_(ADMIN, "GET", awards_url).json:
        by_app.setdefault(award["application_id"], []).append((award["code"], award["title"], award["source"]))
    assert sorted(by_app[apps["me"]]) == [("environment", "文明寝室（环境优美型）", "final_evaluation"),
                                         ("veteran", "退伍军人寝室", "final_evaluation")]
    assert by_app[apps["em"]] == [("environment", "文明寝室（环境优美型）", "final_evaluation")]
    mine = http.as_(dorms["me"][0], "GET", f"/api/applications/{apps['me']}/stages").json
    assert sorted(a["title"] for a in mine["awards"]) == ["文明寝室（环境优美型）", "退伍军人寝室"]
    assert mine["next_step"] == {"action": "done"}
