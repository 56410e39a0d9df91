"""Demo people and roles so that every enabled program can be run end to end by the
demo logins (loaded by `up` on top of deploy/demo_data.py's core directory, which
the tests seed on its own).

What it adds, for the academic year the demo campaigns run in (first year Y):
  * classes and dorms of years 1-3 (grades Y, Y-1, Y-2) in both colleges, each dorm
    with a 寝室长 (dorm leader) and each class with a 班长 and a 团支书, so 文明寝室 and
    先进班集体 have applicants whose year of study qualifies; 机电学院's dorms each have a
    veteran member, so a winner there also gets the veteran-dorm title (退伍军人寝室);
  * raters for 先进班集体's 测评: a 团总支 teacher and a course teacher per college,
    holding the program's own rater roles (class_collectives:league_branch and
    :course_teacher) when 先进班集体 has registered, else no role;
  * reviewers: three school reviewers with no tie to any applicant (one an outside
    expert), and one teacher of 机电学院 who sits in its first party branch, so the
    reviewer-pool page shows conflicts and conflict-free reviewers side by side;
  * faculty advisors (指导教师) in both colleges, and the second college's admin.
Ids are derived from names and grades, so loading twice changes nothing.
"""
from deploy.demo_data import BRANCHES, COLLEGES, DEMO_PASSWORD, SCHOOL
from services.applications.directory import make_unit

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = ["子涵", "欣怡", "浩然", "梓轩", "雨桐", "一诺", "思远", "佳怡", "宇航", "诗涵", "俊杰", "若曦"]
MAJORS = {"me": "软件", "em": "财管"}
DORM_BUILDINGS = {"me": "北苑5号楼", "em": "南苑2号楼"}


def first_year(academic_year):
    return int(academic_year.split("-")[0])


def _role(role, unit_id):
    return {"role": role, "unit_id": unit_id, "source": "demo", "reason": "演示数据 demo data"}


def _staff(login, name, college, roles, title=None):
    return {"_id": f"p_{login}", "login": login, "staff_no": login, "name": name, "school_id": SCHOOL["_id"],
            "college_id": COLLEGES[college]["_id"] if college else None, "title": title,
            "password": DEMO_PASSWORD, "roles": roles}


# 先进班集体's rater roles (plugins/class_collectives: rater_roles), by their stored keys.
LEAGUE_BRANCH, COURSE_TEACHER = "class_collectives:league_branch", "class_collectives:course_teacher"


def directory(academic_year, programs=("class_collectives",)):
    """(units, people) for `academic_year`; fresh records each call. `programs`: the
    registered programs (a program's own rater roles exist only once it registered)."""
    raters = "class_collectives" in programs
    y = first_year(academic_year)
    units, people = [], []
    for key, college in COLLEGES.items():
        for year_of_study, grade in ((1, y), (2, y - 1), (3, y - 2)):
            klass = make_unit("class", f"{MAJORS[key]}{grade % 100:02d}01班", college,
                              unit_id_=f"class_{key}_{grade}", grade=grade)
            dorm = make_unit("dorm", f"{DORM_BUILDINGS[key]}{year_of_study}0{year_of_study}", college,
                             unit_id_=f"dorm_{key}_{grade}")
            units += [klass, dorm]
            college_no = "01" if key == "me" else "02"
            for n in range(1, 5):
                no = f"{grade}{college_no}09{n:02d}"
                roles = [{"role": "student", "unit_id": klass["_id"]}]
                if n == 1:
                    roles += [_role("dorm_leader", dorm["_id"]), _role("class_monitor", klass["_id"])]
                if n == 2:
                    roles.append(_role("league_secretary", klass["_id"]))
                index = (grade + n + len(key)) % len(GIVEN)
                people.append({
                    "_id": f"p_{no}", "login": no, "student_no": no,
                    "name": SURNAMES[(grade * 7 + n + len(key)) % len(SURNAMES)] + GIVEN[index],
                    "school_id": SCHOOL["_id"], "college_id": college["_id"], "class_id": klass["_id"],
                    "dorm_id": dorm["_id"], "branch_id": None, "grade": grade,
                    "political_status": "party_member" if n == 1 else "league_member",
                    # one veteran (退伍军人) in each of 机电学院's dorms: a winning dorm also
                    # receives the veteran-dorm title (文明寝室 附件2 六)
                    "veteran": key == "me" and n == 3,
                    "password": DEMO_PASSWORD, "roles": roles})
    me, em = COLLEGES["me"]["_id"], COLLEGES["em"]["_id"]
    people += [
        _staff("college_admin_em", "林书记", "em", [_role("college_admin", em)], "学院党委副书记"),
        _staff("league_me", "高老师", "me", [_role(LEAGUE_BRANCH, me)] if raters else [], "团总支书记"),
        _staff("league_em", "罗老师", "em", [_role(LEAGUE_BRANCH, em)] if raters else [], "团总支书记"),
        _staff("teacher_me", "郭老师", "me", [_role(COURSE_TEACHER, me)] if raters else [], "任课教师"),
        _staff("teacher_em", "梁老师", "em", [_role(COURSE_TEACHER, em)] if raters else [], "任课教师"),
        _staff("advisor_em", "宋老师", "em", [_role("advisor", em)], "指导教师"),
        _staff("reviewer2", "唐教授", None, [_role("reviewer", SCHOOL["_id"])], "教授"),
        _staff("reviewer3", "韩研究员", None, [_role("reviewer", SCHOOL["_id"])], "校外专家"),
        # a reviewer who belongs to 机电学院's first student party branch: in conflict
        # with that branch's applications (and with the college's under a same-college rule)
        dict(_staff("reviewer_me", "许老师", "me", [_role("reviewer", SCHOOL["_id"])], "副教授"),
             branch_id=BRANCHES["me1"]["_id"]),
    ]
    return units, people


# Roles the core demo logins gain here (the core directory stays as the tests know it).
# (陈老师's advisor role is in the core directory: a grant's advisor must hold it.)
EXTRA_ROLES = {}

LOGINS = [
    ("college_admin_em", "经管学院管理员 college admin of 经济管理学院 (林书记)"),
    ("counselor_em", "经管学院辅导员 counselor of 经济管理学院"),
    ("league_me", "机电学院团总支 League branch rater (先进班集体测评)"),
    ("teacher_me", "机电学院任课教师 course-teacher rater (先进班集体测评)"),
    ("league_em", "经管学院团总支 League branch rater"),
    ("teacher_em", "经管学院任课教师 course-teacher rater"),
    ("advisor_em", "经管学院指导教师 faculty advisor"),
    ("reviewer2", "评审专家 reviewer, no conflicts (唐教授)"),
    ("reviewer3", "校外评审专家 outside-expert reviewer, no conflicts (韩研究员)"),
    ("reviewer_me", "评审专家 reviewer in 机电学院学生第一党支部: conflicts with its applications (许老师)"),
]


def student_logins(academic_year):
    """The dorm leaders / class monitors of years 1-3, for the README and the banner."""
    y = first_year(academic_year)
    out = []
    for key, college_no, name in (("me", "01", "机电"), ("em", "02", "经管")):
        for year_of_study, grade in ((1, y), (2, y - 1), (3, y - 2)):
            out.append((f"{grade}{college_no}0901",
                        f"{name}学院 {year_of_study} 年级寝室长兼班长 dorm leader and class monitor, year {year_of_study}"))
    return out


def load(cluster, academic_year, programs=("class_collectives",)):
    """Seed the extras; the core demo people named in EXTRA_ROLES keep their roles and
    gain these. `programs`: the registered programs (see `directory`)."""
    units, people = directory(academic_year, programs)
    from deploy.demo_data import people as core_people
    core = {p["_id"]: p for p in core_people()}
    for person_id, extra in EXTRA_ROLES.items():
        record = dict(core[person_id])
        record["roles"] = [*record["roles"], *[r for r in extra if r not in record["roles"]]]
        people.append(record)
    cluster.applications.seed_directory(units, people)
    return len(people)
