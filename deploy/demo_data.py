"""Demo data: one school, two colleges, classes, dorms, party branches with their
secretaries, students, counselors, a reviewer, a faculty advisor, finance and a
school admin, plus an open pilot-branch campaign. Idempotent: running it again changes nothing.

    .venv/bin/python -m deploy.demo_data --config deploy/config.yml
"""
import argparse
from datetime import datetime, timedelta, timezone

from services.applications.directory import make_unit

DEMO_PASSWORD = "Demo@2026"

SCHOOL = make_unit("school", "示范大学", unit_id_="school_demo")
COLLEGES = {
    "me": make_unit("college", "机电与信息工程学院", SCHOOL, unit_id_="college_me"),
    "em": make_unit("college", "经济管理学院", SCHOOL, unit_id_="college_em"),
}
CLASSES = {
    "me1": make_unit("class", "计算机2301班", COLLEGES["me"], unit_id_="class_me1", grade=2023),
    "me2": make_unit("class", "自动化2302班", COLLEGES["me"], unit_id_="class_me2", grade=2023),
    "em1": make_unit("class", "会计2301班", COLLEGES["em"], unit_id_="class_em1", grade=2023),
    "em2": make_unit("class", "金融2401班", COLLEGES["em"], unit_id_="class_em2", grade=2024),
}
DORMS = {
    "me1": make_unit("dorm", "北苑3号楼301", COLLEGES["me"], unit_id_="dorm_me1"),
    "em1": make_unit("dorm", "南苑1号楼205", COLLEGES["em"], unit_id_="dorm_em1"),
}
BRANCHES = {
    "me1": make_unit("branch", "机电学院学生第一党支部", COLLEGES["me"], unit_id_="branch_me1"),
    "me2": make_unit("branch", "机电学院学生第二党支部", COLLEGES["me"], unit_id_="branch_me2"),
    "em1": make_unit("branch", "经管学院学生第一党支部", COLLEGES["em"], unit_id_="branch_em1"),
    "em2": make_unit("branch", "经管学院教工党支部", COLLEGES["em"], unit_id_="branch_em2"),
}


def _student(no, name, klass, dorm, status, roles=(), veteran=False, branch=None):
    college = COLLEGES[klass[:2]]
    return {
        "_id": f"p_{no}", "login": no, "name": name, "student_no": no, "school_id": SCHOOL["_id"],
        "college_id": college["_id"], "class_id": CLASSES[klass]["_id"], "dorm_id": DORMS[dorm]["_id"],
        "branch_id": BRANCHES[branch]["_id"] if branch else None, "grade": CLASSES[klass]["grade"],
        "political_status": status, "veteran": veteran, "password": DEMO_PASSWORD,
        "roles": [{"role": "student", "unit_id": CLASSES[klass]["_id"]}, *roles],
    }


def _staff(login, name, roles):
    return {"_id": f"p_{login}", "login": login, "name": name, "school_id": SCHOOL["_id"],
            "password": DEMO_PASSWORD, "roles": roles}


def people():
    sec = lambda b: {"role": "branch_secretary", "unit_id": BRANCHES[b]["_id"]}  # noqa: E731
    return [
        _student("2023010101", "李明", "me1", "me1", "party_member", [sec("me1")], branch="me1"),
        _student("2023010102", "王芳", "me1", "me1", "probationary_member", branch="me1"),
        _student("2023010201", "张伟", "me2", "me1", "party_member", [sec("me2")], branch="me2", veteran=True),
        _student("2023010202", "刘洋", "me2", "me1", "activist"),
        _student("2023020101", "陈静", "em1", "em1", "party_member", [sec("em1")], branch="em1"),
        _student("2023020102", "杨帆", "em1", "em1", "league_member",
                 [{"role": "class_monitor", "unit_id": CLASSES["em1"]["_id"]}]),
        _student("2024020101", "赵磊", "em2", "em1", "league_member"),
        _student("2024020102", "周婷", "em2", "em1", "masses"),
        _staff("sec_em2", "黄老师", [sec("em2")]),
        _staff("counselor_me", "孙辅导员", [{"role": "counselor", "unit_id": COLLEGES["me"]["_id"]}]),
        _staff("counselor_em", "吴辅导员", [{"role": "counselor", "unit_id": COLLEGES["em"]["_id"]}]),
        _staff("college_admin_me", "郑书记", [{"role": "college_admin", "unit_id": COLLEGES["me"]["_id"]}]),
        _staff("reviewer", "冯教授", [{"role": "reviewer", "unit_id": SCHOOL["_id"]}]),
        # A faculty advisor (指导教师) of pilot projects: named as advisor_id when a grant is awarded.
        _staff("advisor_me", "陈老师", [{"role": "advisor", "unit_id": COLLEGES["me"]["_id"]}]),
        _staff("finance", "何会计", [{"role": "finance", "unit_id": SCHOOL["_id"]}]),
        _staff("admin", "校学工部管理员", [{"role": "school_admin", "unit_id": SCHOOL["_id"]}]),
    ]


def directory():
    """(units, people) as seed_directory takes them; fresh copies each call."""
    units = [SCHOOL, *COLLEGES.values(), *CLASSES.values(), *DORMS.values(), *BRANCHES.values()]
    return [dict(u) for u in units], [dict(p, roles=list(p["roles"])) for p in people()]


LOGINS = [
    ("admin", "学校管理员 school admin"),
    ("counselor_me", "机电学院辅导员 counselor"),
    ("college_admin_me", "机电学院管理员 college admin"),
    ("2023010101", "机电学生第一党支部书记 branch secretary (李明)"),
    ("2023020101", "经管学生第一党支部书记 branch secretary (陈静)"),
    ("reviewer", "评审专家 reviewer"),
    ("advisor_me", "机电学院指导教师 faculty advisor (陈老师)"),
    ("finance", "财务 finance"),
]


# One open campaign per enabled program, all at the school, so every role has
# something to look at; titles as a student-affairs office would write them.
DEMO_TITLES = {
    "pilot_branches": "学年对标争先建设项目申报",
    "civilized_dorms": "学年文明寝室创建评选",
    "class_collectives": "学年先进班集体创建评选",
    "class_leading_selection": "学年学生带班党员选拔",
    "class_leading_assessment": "学年学生带班党员考核",
    "class_leading_cases": "学年学生带班党员优秀案例征集",
    "benchmark_branches": "学年样板支部创建申报",
    "merit_students": "学年三好学生评选",
    "outstanding_cadres": "学年优秀学生干部评选",
}


def demo_campaign(now, program="pilot_branches"):
    local = timezone(timedelta(hours=8))
    opens = (now - timedelta(days=1)).astimezone(local).replace(tzinfo=None)
    closes = (now + timedelta(days=14)).astimezone(local).replace(hour=17, minute=0, second=0, microsecond=0,
                                                                   tzinfo=None)
    year = now.year if now.month >= 9 else now.year - 1
    return {
        "program": program, "title": f"{year}-{year + 1} {DEMO_TITLES.get(program, program)}",
        "academic_year": f"{year}-{year + 1}", "unit_id": SCHOOL["_id"],
        "application_opens_at": opens.isoformat(timespec="minutes"),
        "application_closes_at": closes.isoformat(timespec="minutes"),
        "review_opens_at": (closes + timedelta(minutes=1)).isoformat(timespec="minutes"),
        "review_closes_at": (closes + timedelta(days=10)).isoformat(timespec="minutes"),
    }


def _registered(cluster, wanted, seconds=90):
    """The enabled programs once they have registered (plugins register as they start)."""
    import time
    deadline = time.monotonic() + seconds
    while True:
        names = {p["id"] for p in cluster.applications.list_programs()}
        if wanted <= names or time.monotonic() > deadline:
            return [n for n in DEMO_TITLES if n in names]
        time.sleep(0.5)


def load(cluster, programs=("pilot_branches",)):
    """Seed the directory and open one campaign per program; returns the pilot
    campaign (or the first one opened)."""
    from deploy import demo_people
    units, persons = directory()
    cluster.applications.seed_directory(units, persons)
    now = datetime.now(timezone.utc)
    registered = _registered(cluster, set(programs))   # a program's own rater roles exist once it registered
    demo_people.load(cluster, demo_campaign(now)["academic_year"], registered)  # every program's people and roles
    existing = {c["title"] for c in cluster.applications.list_campaigns("p_admin", True)}
    opened = []
    for program in registered:
        campaign = demo_campaign(now, program)
        if campaign["title"] not in existing:
            cluster.applications.open_campaign("p_admin", campaign)
        opened.append(campaign)
    return next((c for c in opened if c["program"] == "pilot_branches"), opened[0] if opened else None)


def main():
    from nameko.standalone.rpc import ClusterRpcProxy

    import core.rpc_errors  # noqa: F401
    from core.config import load_config

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default=None)
    args = parser.parse_args()
    from core.programs import enabled_names
    config = load_config(args.config)
    with ClusterRpcProxy(config, timeout=30) as cluster:
        campaign = load(cluster, enabled_names(config))
    print(f"Demo data loaded; open campaigns, among them: {campaign['title']}")
    print(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    from deploy import demo_people
    year = demo_campaign(datetime.now(timezone.utc))["academic_year"]
    for login, who in LOGINS + demo_people.LOGINS + demo_people.student_logins(year):
        print(f"  {login:<18} {who}")


if __name__ == "__main__":
    main()
