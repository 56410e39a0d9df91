"""people.search read two ways on the real Mongo wire server: a 学号, 工号, name or
login read by its own field and the viewer's scope checked in the process
(store.find_people_any, core.query_match), and the whole query asked of the server.
Both give every viewer the same pages and counts, and nobody outside their scope."""
import random

import pytest

from services.applications import people, store as store_module
from services.applications.directory import make_unit, with_roles
from services.applications.domain import people_scope
from services.applications.store import ApplicationsStore
from core import roles as role_rules

SURNAMES = "李王张陈"


@pytest.fixture
def store(config, mongo):
    repo = ApplicationsStore(mongo("applications"), config)
    repo.ensure_indexes()
    return repo


def _seed(store):
    rng = random.Random(3)
    s1, s2 = make_unit("school", "一校", unit_id_="s1"), make_unit("school", "二校", unit_id_="s2")
    store.replace_units([s1, s2])
    colleges = {c: make_unit("college", f"学院{c}", school, unit_id_=c)
                for c, school in (("c1", s1), ("c2", s1), ("c3", s2))}
    store.replace_units(list(colleges.values()))
    people_ = []
    for n in range(90):
        college = colleges[rng.choice(["c1", "c2", "c3"])]
        no = f"2024{n:04d}" if n % 7 else f"2023{n:04d}"          # two years of 学号
        roles = [{"role": "student", "unit_id": college["_id"]}]
        if n % 11 == 0:
            roles.append({"role": "class_monitor", "unit_id": college["_id"]})
        people_.append(with_roles({"_id": f"p_{no}", "login": no, "student_no": no, "name": SURNAMES[n % 4] + f"生{n}",
                                   "school_id": college["school_id"], "college_id": college["_id"]}, roles))
    # staff: a counselor of c1 seeded without a college of their own, advisors of both
    # schools (everyone of the school may pick them by name), a college admin of c2
    staff = [("t_c1", "李辅导员", "s1", None, [("counselor", "c1")]),
             ("t_a1", "李指导", "s1", "c1", [("advisor", "c1")]),
             ("t_a2", "李指导二", "s2", "c3", [("advisor", "c3")]),
             ("t_ca2", "王院管", "s1", "c2", [("college_admin", "c2")]),
             ("t_sa1", "张校管", "s1", None, [("school_admin", "s1")])]
    for sid, name, school, college, roles in staff:
        people_.append(with_roles({"_id": f"p_{sid}", "login": sid, "staff_no": f"T{sid}", "name": name,
                                   "school_id": school, "college_id": college},
                                  [{"role": r, "unit_id": u} for r, u in roles]))
    store.replace_people(people_)
    return {p["_id"]: p for p in people_}


def _read(store, viewer, filters):
    """Every page by key, and the first page's count."""
    first = people.search(store, viewer, dict(filters, limit=4))
    items, page = list(first["items"]), first
    while page["next"]:
        page = people.search(store, viewer, dict(filters, limit=4, after=page["next"]))
        assert page["total"] is None
        items += page["items"]
    return [p["id"] for p in items], first["total"]


QUERIES = [{"q": "2024"}, {"q": "20240011"}, {"q": "2023"}, {"q": "202300"}, {"q": "李"}, {"q": "李生4"},
           {"q": "t_c1"}, {"q": "Tt_"}, {"q": "2024", "college_id": "c2"}, {"q": "2024", "role": "class_monitor"},
           {"q": "王"}, {"q": "nobody"}, {}]


def test_reading_by_the_field_gives_what_the_server_gives(store, monkeypatch):
    everyone = _seed(store)
    students = [next(p for p, v in sorted(everyone.items()) if v.get("student_no") and v["school_id"] == school)
                for school in ("s1", "s2")]
    viewers = ["p_t_sa1", "p_t_ca2", "p_t_c1", *students]
    seen_by_field = {}
    for lead_read in (500, 0):                       # by the field and checked here, or asked of the server
        monkeypatch.setattr(store_module, "LEAD_READ", lead_read)
        seen_by_field[lead_read] = {(v, i): _read(store, everyone[v], f)
                                    for v in viewers for i, f in enumerate(QUERIES)}
    assert seen_by_field[500] == seen_by_field[0]
    # and what each viewer got is theirs to see, said plainly
    for (viewer_id, _), (ids, total) in seen_by_field[500].items():
        viewer = everyone[viewer_id]
        roles = role_rules.current(viewer["roles"], None)
        for pid in ids:
            person = everyone[pid]
            if people_scope.is_directory_admin(roles):
                assert people_scope.may_see(viewer_id, roles, person), (viewer_id, pid)
            else:                                    # a student picks the advisors of their school
                assert person["school_id"] == viewer["school_id"] and "advisor" in person["role_names"]
        assert total == len(ids)
    sa, counselor = seen_by_field[500][("p_t_sa1", 0)][0], seen_by_field[500][("p_t_c1", 0)][0]
    assert len(sa) > len(counselor) > 5
    assert all(everyone[p]["school_id"] == "s1" for p in sa)
    for student, advisor in zip(students, ("p_t_a1", "p_t_a2")):        # 李: the advisor of their school only
        assert seen_by_field[500][(student, 4)][0] == [advisor]


def test_a_surname_alone_is_asked_of_the_server_without_counting_it_first(store, monkeypatch):
    """One Chinese character is a surname, which holds hundreds in a school: it is not
    read by its field (which counts it first), while two characters are; both find
    the same people as the server."""
    everyone = _seed(store)
    led = []
    real = store.find_people_any
    monkeypatch.setattr(store, "find_people_any", lambda ways, *a, **k: led.extend(w[1] for w in ways) or real(ways, *a, **k))
    one = people.search(store, everyone["p_t_sa1"], {"q": "李"})
    assert led == [None] and one["total"] == len(one["items"]) > 5
    led.clear()
    two = people.search(store, everyone["p_t_sa1"], {"q": "李生"})
    assert led == [{"name": people._prefix("李生")}]
    assert {p["id"] for p in two["items"]} < {p["id"] for p in one["items"]}
    led.clear()
    everybody = people.search(store, everyone["p_t_sa1"], {"q": None})     # no q, as PeopleQuery loads it
    assert led == [None] and everybody["total"] > one["total"]
