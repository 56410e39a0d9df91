"""The role rules: who grants what, at which unit, duplicates, revokes, academic-year
expiry, who speaks for an applicant, roster posts."""
from datetime import datetime, timezone

import pytest

from core import roles
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from services.applications.domain import directory_import, people_scope, role_grants

SCHOOL = {"_id": "s1", "kind": "school", "path": ["s1"]}
COLLEGE = {"_id": "c1", "kind": "college", "path": ["s1", "c1"]}
OTHER_COLLEGE = {"_id": "c2", "kind": "college", "path": ["s1", "c2"]}
DORM = {"_id": "d1", "kind": "dorm", "path": ["s1", "c1", "d1"]}
OTHER_SCHOOL_COLLEGE = {"_id": "x1", "kind": "college", "path": ["s9", "x1"]}
SCHOOL_ADMIN = [{"role": "school_admin", "unit_id": "s1"}]
COLLEGE_ADMIN = [{"role": "college_admin", "unit_id": "c1"}]
COUNSELOR = [{"role": "counselor", "unit_id": "c1"}]
NOW = "2026-03-01T00:00:00Z"


def granter(held):
    return {"id": "p_g", "name": "授权人", "roles": held}


def person(**extra):
    return {"_id": "p_1", "name": "张三", "roles": [{"role": "student", "unit_id": "k1"}], **extra}


@pytest.mark.parametrize("held,role,unit", [
    (SCHOOL_ADMIN, "college_admin", COLLEGE), (SCHOOL_ADMIN, "finance", SCHOOL),
    (SCHOOL_ADMIN, "reviewer", SCHOOL), (SCHOOL_ADMIN, "counselor", OTHER_COLLEGE),
    (COLLEGE_ADMIN, "counselor", COLLEGE), (COLLEGE_ADMIN, "reviewer", COLLEGE),
    (COLLEGE_ADMIN, "advisor", COLLEGE), (COLLEGE_ADMIN, "dorm_leader", DORM),
])
def test_who_may_grant(held, role, unit):
    assert roles.grant_problem(held, role, unit) is None


@pytest.mark.parametrize("held,role,unit,field", [
    (COLLEGE_ADMIN, "college_admin", COLLEGE, "role"),      # only the school grants college admins
    (COLLEGE_ADMIN, "finance", SCHOOL, "role"),             # finance is the school's to give
    (COLLEGE_ADMIN, "counselor", OTHER_COLLEGE, "role"),    # another college
    (COUNSELOR, "dorm_leader", DORM, "role"),               # counselors grant nothing
    (SCHOOL_ADMIN, "college_admin", OTHER_SCHOOL_COLLEGE, "role"),
    (SCHOOL_ADMIN, "dorm_leader", COLLEGE, "unit_id"),      # a dorm leader is held at a dorm
    (SCHOOL_ADMIN, "student", COLLEGE, "unit_id"),
    # 先进班集体's raters are its own roles now (class_collectives:<key>), not the platform's
    (COLLEGE_ADMIN, "league_branch", COLLEGE, "role"), (COLLEGE_ADMIN, "course_teacher", COLLEGE, "role"),
])
def test_who_may_not_grant(held, role, unit, field):
    assert roles.grant_problem(held, role, unit)[0] == field


def test_grant_plans_role_and_audit_and_refuses_duplicates():
    data = {"role": "dorm_leader", "unit_id": "d1", "reason": "寝室推选", "academic_year": "2025-2026"}
    new_roles, audit = role_grants.plan_grant(granter(COLLEGE_ADMIN), person(), data, DORM, NOW)
    added = new_roles[-1]
    assert (added["role"], added["unit_id"], added["academic_year"]) == ("dorm_leader", "d1", "2025-2026")
    assert audit["action"] == "grant" and audit["by"]["id"] == "p_g" and audit["reason"] == "寝室推选"
    with pytest.raises(Conflict) as exc:
        role_grants.plan_grant(granter(COLLEGE_ADMIN), person(roles=new_roles), data, DORM, NOW)
    assert exc.value.field == "role"
    # another year is another grant
    other = dict(data, academic_year="2026-2027")
    assert len(role_grants.plan_grant(granter(COLLEGE_ADMIN), person(roles=new_roles), other, DORM, NOW)[0]) == 3


def test_grant_outside_scope_is_refused_naming_the_field():
    data = {"role": "college_admin", "unit_id": "c1", "reason": "任命"}
    with pytest.raises(PermissionDenied) as exc:
        role_grants.plan_grant(granter(COLLEGE_ADMIN), person(), data, COLLEGE, NOW)
    assert exc.value.field == "role" and exc.value.message_zh
    with pytest.raises(ValidationFailed):
        role_grants.plan_grant(granter(SCHOOL_ADMIN), person(), dict(data, role="dorm_leader"), COLLEGE, NOW)


def test_revoke_needs_the_right_and_an_existing_grant():
    data = {"role": "counselor", "unit_id": "c1", "reason": "任命"}
    held, _ = role_grants.plan_grant(granter(COLLEGE_ADMIN), person(), data, COLLEGE, NOW)
    gid = held[-1]["grant_id"]
    units = {"c1": COLLEGE}.get
    with pytest.raises(PermissionDenied):
        role_grants.plan_revoke(granter(COUNSELOR), person(roles=held), gid, units, "调岗", NOW)
    left, audit = role_grants.plan_revoke(granter(COLLEGE_ADMIN), person(roles=held), gid, units, "调岗", NOW)
    assert [r["role"] for r in left] == ["student"] and audit["action"] == "revoke" and audit["reason"] == "调岗"
    with pytest.raises(NotFound):
        role_grants.plan_revoke(granter(COLLEGE_ADMIN), person(roles=left), gid, units, "调岗", NOW)


def test_a_role_of_an_academic_year_stops_by_itself():
    role = {"role": "dorm_leader", "unit_id": "d1", "academic_year": "2025-2026"}
    # the 学年 ends at midnight Beijing time on 1 September, i.e. 16:00 UTC on 31 August
    assert roles.is_current(role, datetime(2026, 8, 31, 15, 59, tzinfo=timezone.utc))
    assert not roles.is_current(role, datetime(2026, 8, 31, 16, 0, tzinfo=timezone.utc))
    assert roles.is_current({"role": "counselor", "unit_id": "c1"}, datetime(2099, 1, 1, tzinfo=timezone.utc))
    held = [role, {"role": "student", "unit_id": "k1"}]
    later = datetime(2026, 9, 2, tzinfo=timezone.utc)
    assert roles.current(held, later) == [{"role": "student", "unit_id": "k1"}]
    assert not roles.speaks_for(roles.current(held, later), "p_1", "dorm", "d1")
    assert roles.speaks_for(held, "p_1", "dorm", "d1")


def test_an_expired_grant_may_be_granted_again():
    data = {"role": "dorm_leader", "unit_id": "d1", "reason": "连任", "academic_year": "2024-2025"}
    held, _ = role_grants.plan_grant(granter(COLLEGE_ADMIN), person(), data, DORM, "2025-01-01T00:00:00Z")
    again, _ = role_grants.plan_grant(granter(COLLEGE_ADMIN), person(roles=held), data, DORM, NOW)
    assert len([r for r in again if r["role"] == "dorm_leader"]) == 1


def test_speaks_for_and_campaign_admin_live_in_core():
    held = [("branch_secretary", "b1"), ("class_monitor", "k1")]
    assert roles.speaks_for(held, "p", "branch", "b1") and roles.speaks_for(held, "p", "class", "k1")
    assert not roles.speaks_for(held, "p", "dorm", "b1") and roles.speaks_for(held, "p", "person", "p")
    college_campaign = {"level": "college", "unit_id": "c1", "unit_path": ["s1", "c1"]}
    assert roles.is_campaign_admin(COLLEGE_ADMIN, college_campaign)
    assert not roles.is_campaign_admin(COLLEGE_ADMIN, {"unit_id": "s1", "unit_path": ["s1"]})
    assert roles.is_campaign_admin(SCHOOL_ADMIN, college_campaign)
    assert roles.role_key({"role": "reviewer", "unit_id": "s1", "campaign_id": "cp1"}) == "reviewer@s1@cp1"


def test_directory_scope():
    me = {"_id": "p_1", "school_id": "s1", "college_id": "c1"}
    other = {"_id": "p_2", "school_id": "s1", "college_id": "c2"}
    assert people_scope.may_see("p_1", [], me) and not people_scope.may_see("p_1", [], other)
    assert people_scope.may_see("p_9", SCHOOL_ADMIN, other)
    assert people_scope.may_see("p_9", COUNSELOR, me) and not people_scope.may_see("p_9", COUNSELOR, other)
    assert people_scope.search_scope([], "s1") == {"public_in": "s1"}


HEADER = ["学号", "姓名", "学院", "班级", "宿舍", "党支部", "职务"]


def test_roster_posts_become_roles():
    rows = [["2025010101", "甲", "机电", "计科2501", "北苑101", "第一支部", "寝室长、团支书"],
            ["2025010102", "乙", "机电", "计科2501", "北苑101", "第一支部", "支部副书记"]]
    records, problems = directory_import.parse_rows(HEADER, rows, {"机电"})
    assert problems == []
    assert records[0]["posts"] == [("dorm_leader", "dorm"), ("league_secretary", "class")]
    assert records[1]["posts"] == [("branch_deputy", "branch")]


def test_bad_roster_posts_name_row_and_column():
    rows = [["2025010101", "甲", "机电", "计科2501", "", "", "寝室长"],
            ["2025010102", "乙", "机电", "计科2501", "北苑101", "", "校长"]]
    records, problems = directory_import.parse_rows(HEADER, rows, {"机电"})
    assert records == []
    assert {(p["row"], p["column"]) for p in problems} == {(2, "宿舍"), (3, "职务")}
    assert all(p["message_zh"] for p in problems)
