"""Rater roles a program declares, through the real applications service and gateway:
registering them makes them grantable (by whom and where the program says) and
labelled on the role pages and API; grants stored under the role's former platform key
are moved to its namespaced key at registration."""
import copy
import re

from plugins.pilot_branches.program import PROGRAM as PILOT

COLLEGE_ADMIN, COUNSELOR, ADMIN = "college_admin_me", "counselor_me", "admin"
TUTOR = {"key": "tutor", "label_zh": "导师（测评）", "label_en": "Tutor (rating)", "scopes": ["college", "class"],
         "granted_by": "college_admin", "formerly": "tutor_rating"}
ROLE = "rater_demo:tutor"
HOLDER, NEWCOMER = "p_2023010202", "p_2023010101"


def _declaration():
    declaration = copy.deepcopy(PILOT.declaration())
    declaration.update(name="rater_demo", version="rater-demo-1", rater_roles=[TUTOR])
    return declaration


def _grant(http, login, person_id, **payload):
    return http.as_(login, "POST", f"/api/people/{person_id}/roles", json=payload)


def test_a_declared_rater_role_is_granted_by_the_college_admin_and_takes_over_its_former_key(rpc, http, mongo, gateway_app):
    # a grant stored before the program declared the role, under the key the platform had for it
    people = mongo("applications").people
    held = people.find_one({"_id": HOLDER})
    old = {"role": "tutor_rating", "unit_id": "college_me", "source": "grant", "reason": "旧授权"}
    people.update_one({"_id": HOLDER}, {"$set": {"roles": [*held["roles"], old],
                                                 "role_names": sorted({*held["role_names"], "tutor_rating"}),
                                                 "role_keys": [*held["role_keys"], "tutor_rating@college_me"]}})
    assert not [r for r in http.as_(COLLEGE_ADMIN, "GET", "/api/people/roles").json if r["role"] == ROLE]

    registered = rpc.applications.register_program(_declaration())
    assert registered["rater_roles"] == [ROLE] and registered["moved"] == 1
    assert rpc.applications.register_program(_declaration())["moved"] == 0          # once

    catalogue = {r["role"]: r for r in http.as_(COLLEGE_ADMIN, "GET", "/api/people/roles").json}
    assert catalogue[ROLE] == {"role": ROLE, "label_zh": "导师（测评）", "label_en": "Tutor (rating)",
                               "unit_kinds": ["college", "class"], "program": "rater_demo",
                               "granted_by": "college_admin", "grantable": True}
    assert not {r["role"]: r for r in http.as_(COUNSELOR, "GET", "/api/people/roles").json}[ROLE]["grantable"]

    # the old grant is now the declared role, labelled; nobody holds the old key
    page = http.as_(COLLEGE_ADMIN, "GET", f"/api/people/{HOLDER}").json
    moved = [r for r in page["roles"] if r["role"] == ROLE]
    assert [(r["unit_id"], r["label"], r["reason"]) for r in moved] == [("college_me", "导师（测评）", "旧授权")]
    assert not [r for r in page["roles"] if r["role"] == "tutor_rating"]
    assert {"label": "导师（测评）", "label_en": "Tutor (rating)", "unit_name": "机电与信息工程学院"} in page["role_labels"]

    # granted by the college admin inside their college, at the kinds of unit it declares
    assert _grant(http, COUNSELOR, NEWCOMER, role=ROLE, unit_id="college_me", reason="测评").status_code == 403
    wrong_kind = _grant(http, COLLEGE_ADMIN, NEWCOMER, role=ROLE, unit_id="school_demo", reason="测评")
    assert wrong_kind.status_code == 422 and wrong_kind.json["field"] == "unit_id", wrong_kind.json
    assert _grant(http, COLLEGE_ADMIN, NEWCOMER, role=ROLE, unit_id="college_em", reason="测评").status_code == 403
    made = _grant(http, COLLEGE_ADMIN, NEWCOMER, role=ROLE, unit_id="class_me1", reason="本班测评")
    assert made.status_code == 201, made.json
    again = _grant(http, COLLEGE_ADMIN, HOLDER, role=ROLE, unit_id="college_me", reason="再次")
    assert again.status_code == 409                 # the moved grant is the same grant
    unknown = _grant(http, COLLEGE_ADMIN, NEWCOMER, role="rater_demo:mentor", unit_id="college_me", reason="测评")
    assert unknown.status_code == 422 and unknown.json["field"] == "role"

    found = http.as_(COLLEGE_ADMIN, "GET", f"/api/people?role={ROLE}").json
    assert {p["id"] for p in found["items"]} == {HOLDER, NEWCOMER}
    log = http.as_(COLLEGE_ADMIN, "GET", "/api/people/grants").json
    assert (log[0]["person_id"], log[0]["label"], log[0]["label_en"]) == (NEWCOMER, "导师（测评）", "Tutor (rating)")

    # the pages offer and show labels, never the key
    client = gateway_app.test_client()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"login": COLLEGE_ADMIN, "password": "Demo@2026",
                                       "csrf_token": csrf}).status_code == 302
    html = client.get(f"/people/{NEWCOMER}").get_data(as_text=True)
    assert f'<option value="{ROLE}">导师（测评）</option>' in html, html
    assert html.count("导师（测评）") >= 2 and f">{ROLE}<" not in html
