"""People and roles in a real browser, on the demo platform: the school admin makes a
teacher the college admin of 经济管理学院; that college admin, logged in with the same
account, makes a colleague a counselor and a student the 寝室长 of their dorm (each
grant with a reason, on the person's page); the counselor sees the review queue at
once, and the new 寝室长 applies for 文明寝室 for that dorm.

Every page visited passes axe-core and is shot at desktop and phone widths
(test-artifacts/screenshots/people-*.png)."""
from datetime import datetime, timezone

import pytest

from deploy import demo_people
from tests.browser.conftest import check_widths, login


# Four people, five pages checked at two widths: bounded well above a quiet run's ~40 s.
pytestmark = pytest.mark.timeout(300)


def academic_year(now):
    year = now.year if now.month >= 9 else now.year - 1
    return f"{year}-{year + 1}"


def check(page, name):
    check_widths(page, f"people-{name}")


def open_person(page, query, name):
    page.get_by_role("link", name="人员名录").click()
    page.get_by_label("姓名、学号或工号").fill(query)
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name=name, exact=True).click()
    page.wait_for_url("**/people/p_*")
    page.wait_for_load_state()


def grant(page, role, unit, reason):
    page.select_option("#grant-role", label=role)
    page.select_option("#grant-unit", label=unit)
    page.fill("#grant-reason", reason)
    page.get_by_role("button", name="授予", exact=True).click()
    page.wait_for_load_state()


def test_admin_grants_college_admin_who_grants_counselor_and_dorm_leader_who_applies(new_page, base_url):
    year = academic_year(datetime.now(timezone.utc))
    # A 文明寝室 campaign of this test's own: the demo one may already have its final
    # list (test_dorm_cycle.py), and then it accepts no application.
    from deploy.demo_data import demo_campaign
    from tests.browser.conftest import api_call as api
    title = f"{year} 学年文明寝室创建评选（经管学院补报）"
    opened = api(base_url, "admin", "POST", "/api/campaigns",
                 json=dict(demo_campaign(datetime.now(timezone.utc), "civilized_dorms"), title=title))
    assert opened.status_code == 201, opened.text
    grade = int(year[:4]) - 1                     # a year-2 class and dorm of 经济管理学院
    _units, people = demo_people.directory(year)
    student = next(p for p in people if p["login"] == f"{grade}020903")   # no post yet
    dorm = next(u for u in _units if u["_id"] == student["dorm_id"])

    admin = new_page()
    login(admin, "admin")
    open_person(admin, "宋老师", "宋老师")
    check(admin, "person-before")
    grant(admin, "学院管理员", "学院 · 经济管理学院", "学院党委任命")
    roles = admin.locator("table").first
    assert "学院管理员" in roles.inner_text() and "经济管理学院" in roles.inner_text()
    assert "学院党委任命" in admin.content()           # the role history says why
    check(admin, "person-granted")

    college_admin = new_page()
    login(college_admin, "advisor_em")               # 宋老师, now college admin: the menu shows it at once
    open_person(college_admin, "梁老师", "梁老师")
    grant(college_admin, "辅导员", "学院 · 经济管理学院", "新任辅导员")
    assert "辅导员" in college_admin.locator("table").first.inner_text()
    open_person(college_admin, student["login"], student["name"])
    assert dorm["name"] in college_admin.content()   # the person's record shows the dorm
    grant(college_admin, "寝室长", f"寝室 · {dorm['name']}", "寝室推选")
    assert "寝室长" in college_admin.locator("table").first.inner_text()
    check(college_admin, "college-admin-grants")
    college_admin.get_by_role("link", name="授权记录").click()
    college_admin.wait_for_url("**/people/grants")
    log = college_admin.locator("table").inner_text()
    assert "辅导员" in log and "寝室长" in log and student["name"] in log
    check(college_admin, "grant-log")

    counselor = new_page("phone")
    login(counselor, "teacher_em")
    assert counselor.get_by_role("link", name="审核队列").count() >= 1 or "审核队列" in counselor.content()

    leader = new_page()
    login(leader, student["login"])
    leader.get_by_role("link", name="我的信息").click()
    leader.wait_for_url("**/me/record")
    leader.wait_for_load_state()
    assert dorm["name"] in leader.content() and "寝室长" in leader.content()
    check(leader, "my-record")
    leader.goto("/")
    leader.get_by_role("link", name=title).first.click()
    leader.get_by_role("button", name="申报").first.click()
    leader.wait_for_load_state()
    assert "/applications/" in leader.url, leader.content()[:2000]
    assert dorm["name"] in leader.content()            # the application is the dorm's
    check(leader, "dorm-application")
