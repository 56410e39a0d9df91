"""Who may write and read records.

  * Writing (adding or importing facts, importing awards): a school admin
    (学校管理员), for subjects of their school.
  * Reading lists: a school admin (their school), a college admin or counselor
    (subjects of their college), and the subject itself: a person their own facts
    and the awards they hold or share (their dorm's, class's, branch's titles), the
    representative of a class / dorm / branch (monitor, dorm leader, secretary)
    that unit's records.
The internal RPCs plugins call (`facts`, `awards`) are not for people and have no
actor.
"""
from core import roles as role_rules
from core.errors import PermissionDenied
from core.roles import COLLEGE_REVIEW_ROLES as COLLEGE_ROLES


def units_with(actor, *roles):
    return sorted(role_rules.units_with(actor.get("roles"), *roles))


def require_school_admin(actor):
    """The schools `actor` administers; PermissionDenied when none."""
    schools = units_with(actor, "school_admin")
    if not schools:
        raise PermissionDenied("Only a school admin may add or import records.", "只有学校管理员可以录入或导入记录",
                               field="actor")
    return schools


def scope(actor):
    """What `actor` may read: {"school_ids", "college_ids", "subject_ids", "person_id"}."""
    represented = role_rules.represented_units(actor.get("roles"))
    return {"school_ids": units_with(actor, "school_admin"), "college_ids": units_with(actor, *COLLEGE_ROLES),
            "subject_ids": sorted({actor["id"], *represented}), "person_id": actor["id"]}


def is_admin(view):
    return bool(view["school_ids"] or view["college_ids"])


def may_see_subject(view, subject_id, subject):
    """True when the scope covers this subject; `subject` is what the directory says
    of it ({"college_id", "school_id"}) or None when it is not in the directory."""
    if subject_id in view["subject_ids"]:
        return True
    if subject is None:
        return bool(view["school_ids"])  # history of a unit since dissolved: the school's to see
    return subject.get("school_id") in view["school_ids"] or subject.get("college_id") in view["college_ids"]


def require_subject(view, subject_id, subject):
    if not may_see_subject(view, subject_id, subject):
        raise PermissionDenied("You may not see this subject's records.", "您无权查看该对象的记录", field="subject_id")


def check_writable(schools, subject):
    """None, or (en, zh) why a school admin of `schools` may not record this subject."""
    if subject.get("school_id") and subject["school_id"] not in schools:
        return ("It belongs to another school.", "该对象属于其他学校")
    return None
