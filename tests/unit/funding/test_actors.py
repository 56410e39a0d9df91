"""Roles: plain strings or the applications directory's (role, unit) pairs."""
from services.funding.domain.actors import can_view_grant, holds, is_college_admin

GRANT = {"lead_id": "u-lead", "advisor_id": "u-adv", "college_id": "col-me"}


def test_college_admin_is_scoped_to_the_grants_college():
    assert is_college_admin({"id": "a", "roles": ["college_admin"], "college_id": "col-me"}, GRANT)
    assert not is_college_admin({"id": "a", "roles": ["college_admin"], "college_id": "col-cs"},
                                GRANT)
    assert not is_college_admin({"id": "a", "roles": ["college_admin"]}, GRANT)
    assert is_college_admin({"id": "a", "roles": [["college_admin", "col-me"]]}, GRANT)
    assert is_college_admin({"id": "a", "roles": [{"role": "college_admin", "unit_id": "col-me"}]},
                            GRANT)
    assert not is_college_admin({"id": "a", "roles": [["college_admin", "col-cs"],
                                                      ["counselor", "col-me"]]}, GRANT)


def test_school_wide_roles_in_either_shape():
    assert holds({"id": "f", "roles": [["finance", "school"]]}, GRANT, "finance")
    assert holds({"id": "s", "roles": ["school_admin"]}, GRANT, "school_admin")
    assert not holds({"id": "x", "roles": [["student", "col-me"]]}, GRANT, "finance")


def test_who_sees_a_grant():
    assert can_view_grant({"id": "u-lead"}, GRANT) and can_view_grant({"id": "u-adv"}, GRANT)
    assert can_view_grant({"id": "f", "roles": ["finance"]}, GRANT)
    assert not can_view_grant({"id": "u-other", "roles": ["student"]}, GRANT)
    assert not can_view_grant({"id": "c", "roles": [["college_admin", "col-cs"]]}, GRANT)
