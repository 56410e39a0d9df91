"""The whole 文明寝室 cycle in a real browser on the demo platform, every step reached
from the menu or a link (no typed URL after logging in), in a 文明寝室 campaign the
school admin opened for it: the 寝室长 of 机电学院's year-1 dorm applies with photos and submits; the counselor approves; the admin sets
one reviewer and assigns; the reviewer scores; the admin publishes the results and
the notice and, after the period, confirms the final list; the dorm reports for the
mid-term check, the admin returns it with a reason, the dorm resubmits, the admin
passes it; the dorm reports for the final evaluation and the admin passes it; only
then are the titles granted — the type's title and, the dorm having a veteran member
(deploy/demo_people.py), the veteran-dorm title 退伍军人寝室 — and the dorm downloads
its certificate from its application page and sees both on the final list.

Every page visited passes axe-core and is shot at desktop and phone widths
(test-artifacts/screenshots/dorm-*.png). The one test-only override, as in
test_whole_flow.py: the notice period is ended by writing its times into the past."""
import io
import struct
import zlib
from datetime import datetime, timedelta, timezone

import pypdf
from playwright.sync_api import expect

from tests.browser.conftest import api_call, check_widths, job_ended, login
from tests.browser.test_whole_flow import PDF, click, confirm, end_notice_period

REVIEWER_LOGINS = {"冯教授": "reviewer", "唐教授": "reviewer2", "韩研究员": "reviewer3"}


def _first_year():
    """The demo campaigns' academic year's first year (deploy/demo_data.demo_campaign)."""
    now = datetime.now(timezone.utc)
    return now.year if now.month >= 9 else now.year - 1


YEAR = _first_year()
LEADER = f"{YEAR}010901"          # 寝室长 of 北苑5号楼101 (deploy/demo_people.py)
DORM = "北苑5号楼101"
# A campaign of this test's own (the demo's 文明寝室 campaign is left to the other
# browser tests of the session: once its list is final it takes no application).
CAMPAIGN = f"{YEAR}-{YEAR + 1} 学年第二批文明寝室创建评选"


def open_campaign(base_url):
    """Opened by the school admin through the API (set-up, not a step under test)."""
    local = timezone(timedelta(hours=8))
    now = datetime.now(local).replace(tzinfo=None, second=0, microsecond=0)
    closes = now + timedelta(days=14)
    payload = {"program": "civilized_dorms", "title": CAMPAIGN, "academic_year": f"{YEAR}-{YEAR + 1}",
               "unit_id": "school_demo", "application_opens_at": (now - timedelta(days=1)).isoformat(),
               "application_closes_at": closes.isoformat(),
               "review_opens_at": (closes + timedelta(minutes=1)).isoformat(),
               "review_closes_at": (closes + timedelta(days=10)).isoformat()}
    opened = api_call(base_url, "admin", "POST", "/api/campaigns", json=payload,
                 headers={"Idempotency-Key": f"dorm-cycle-{YEAR}"})
    assert opened.status_code in (200, 201), opened.text


def png(shade):
    """A real 8x8 PNG of one grey (distinct bytes per shade)."""
    raw = b"".join(b"\x00" + bytes([shade]) * 8 for _ in range(8))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def check(page, name):
    check_widths(page, f"dorm-{name}")


def menu(page, name):
    with page.expect_navigation():
        page.locator("header nav").get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()


def manage_campaign(admin):
    menu(admin, "活动管理")
    click(admin, "link", f"管理 {CAMPAIGN}")


def test_a_dorm_from_application_to_its_certificate_and_veteran_title(new_page, base_url, mongo_uri):
    open_campaign(base_url)

    # -- the 寝室长 applies with photos and submits --------------------------------------------
    leader = new_page()
    login(leader, LEADER)
    click(leader, "link", CAMPAIGN)
    click(leader, "button", "申报", exact=True)
    leader.select_option("#f-types", ["environment"])
    leader.fill("#f-culture_theme", "书香寝室")
    leader.fill("#f-convention", "按时作息，爱护公物，互帮互助，文明用语，保持整洁。")
    leader.fill("#f-work_basis", "寝室成员坚持每周四理论学习，获评月度文明寝室两次。")
    leader.fill("#f-goals", "建成环境优美、文化鲜明的示范寝室。")
    leader.fill("#f-measures", "每周大扫除，布置文化墙，参加寝室美化大赛。")
    leader.fill("#f-expected_outputs-0-id", "wall")
    leader.fill("#f-expected_outputs-0-description", "建成寝室文化墙")
    click(leader, "button", "保存草稿")
    for shade, name in ((40, "寝室全景.png"), (200, "文明公约.png")):
        leader.select_option("#att-kind", "photo")
        leader.set_input_files("#att-file", files=[{"name": name, "mimeType": "image/png", "buffer": png(shade)}])
        leader.get_by_role("button", name="保存并上传").click()
        expect(leader.locator(f"a:has-text('{name}')")).to_be_visible()
    confirm(leader, "button", "保存并提交", "学院审核")
    expect(leader.get_by_role("status")).to_have_text("已提交，等待学院审核")

    # -- the counselor approves ------------------------------------------------------------------
    counselor = new_page()
    login(counselor, "counselor_me")
    menu(counselor, "审核队列")
    counselor.get_by_label(f"选择 {DORM}").check()
    confirm(counselor, "button", "审核通过所选", "学校评审")
    expect(counselor.get_by_role("status")).to_contain_text("已审核通过 1 份申报")

    # -- the admin sets one reviewer and assigns; the reviewer scores ------------------------------
    admin = new_page()
    login(admin, "admin")
    manage_campaign(admin)
    admin.fill("#k", "1")
    click(admin, "button", "保存设置")
    click(admin, "button", "自动分配评审专家")
    assigned = admin.locator("section[aria-labelledby=assignments] tbody tr", has_text=DORM).locator("td").nth(1)
    expect(assigned).to_be_visible(timeout=60000)
    job_ended(admin)
    reviewer = new_page()
    login(reviewer, REVIEWER_LOGINS[assigned.inner_text().strip()])
    menu(reviewer, "我的评审")
    click(reviewer, "link", DORM)
    for box in reviewer.locator("input[type=number]").all():
        box.fill("9")
    confirm(reviewer, "button", "提交", "锁定", exact=True)
    # Submitting leads to the reviewer's next open sheet or, with none left, the list:
    # other browser tests of the session may have given this reviewer other sheets.
    expect(reviewer.get_by_role("status")).to_contain_text("评分已提交并锁定")
    menu(reviewer, "我的评审")
    expect(reviewer.locator("tr", has_text=DORM)).to_contain_text("已提交（锁定）")

    # -- results, notice, final list ------------------------------------------------------------------
    manage_campaign(admin)
    confirm(admin, "button", "截止申报并发布", "截止")     # applications still open: closed first
    expect(admin.get_by_role("status")).to_contain_text("已发布评审结果")
    click(admin, "link", "公示、异议与正式名单")
    for _attempt in range(20):   # once the applications service has recorded the results
        confirm(admin, "button", "发布公示", "异议")   # from now for the program's notice days (prefilled)
        if admin.locator("#objections").count():
            break
        admin.wait_for_timeout(500)
        admin.reload()
    expect(admin.get_by_text("公示中").first).to_be_visible()
    campaign_id = admin.url.split("/admin/campaigns/")[1].split("/")[0]
    end_notice_period(mongo_uri, campaign_id)
    admin.reload()
    confirm(admin, "button", "确定正式名单", "不能撤销")
    expect(admin.get_by_text("定稿时间")).to_be_visible()
    expect(admin.locator("#job")).to_contain_text("已完成", timeout=60000)   # the job deciding the applications

    # -- the dorm reports for the mid-term check ---------------------------------------------------------
    menu(leader, "我的申报")
    click(leader, "link", DORM)
    expect(leader.get_by_text("下一步：提交中期检查报告")).to_be_visible()
    expect(leader.get_by_text("评估考核通过后授予荣誉称号")).to_be_visible()   # no title yet
    check(leader, "application-approved")
    click(leader, "link", "进入阶段考核")
    leader.fill("#summary-midterm", "坚持周四理论学习，文化墙完成设计，参加寝室美化大赛。")
    leader.set_input_files("#files-midterm", files=[
        {"name": "中期检查报告.pdf", "mimeType": "application/pdf", "buffer": PDF},
        {"name": "中期照片.png", "mimeType": "image/png", "buffer": png(90)}])
    click(leader, "button", "提交报告 中期检查")
    expect(leader.get_by_role("status")).to_have_text("报告已提交，等待审核")
    expect(leader.get_by_role("link", name="中期照片.png")).to_be_visible()
    check(leader, "stages-submitted")

    # -- the admin returns it with a reason (required), the dorm resubmits, the admin passes -------------
    menu(admin, "评选活动")                       # home: the to-do list leads there
    click(admin, "link", "待审核阶段报告")
    click(admin, "link", CAMPAIGN)
    click(admin, "button", f"退回修改 {DORM} 中期检查")
    expect(admin.get_by_role("alert")).to_contain_text("退回修改须填写理由")
    admin.get_by_label(f"审核意见（退回、不通过时必填） {DORM} 中期检查").fill("请补充文化墙的照片。")
    click(admin, "button", f"退回修改 {DORM} 中期检查")
    expect(admin.get_by_role("status")).to_contain_text("已退回")
    check(admin, "stages-admin")

    leader.reload()
    expect(leader.get_by_text("退回理由：请补充文化墙的照片。")).to_be_visible()
    expect(leader.get_by_text("下一步：按退回意见修改并重新提交中期检查报告")).to_be_visible()
    leader.set_input_files("#files-midterm", files=[
        {"name": "文化墙.png", "mimeType": "image/png", "buffer": png(150)}])
    click(leader, "button", "重新提交报告 中期检查")
    expect(leader.get_by_role("status")).to_have_text("报告已提交，等待审核")

    admin.reload()
    confirm(admin, "button", f"通过 {DORM} 中期检查", "不能撤销")
    expect(admin.get_by_role("status")).to_contain_text("已评定为通过")

    # -- the final evaluation: reported, passed; only now the titles ---------------------------------------
    leader.reload()
    expect(leader.get_by_text("下一步：提交评估考核（结项验收）报告")).to_be_visible()
    leader.fill("#summary-final_evaluation", "文化墙建成，获院级寝室美化大赛二等奖。")
    leader.get_by_label("建成寝室文化墙：已完成").check()
    leader.get_by_label("建成寝室文化墙：佐证说明").fill("院级寝室美化大赛获奖证书")
    leader.set_input_files("#files-final_evaluation", files=[
        {"name": "评估考核总结.pdf", "mimeType": "application/pdf", "buffer": PDF + b"\n"}])
    click(leader, "button", "提交报告 评估考核（结项验收）")
    expect(leader.get_by_role("status")).to_have_text("报告已提交，等待审核")

    manage_campaign(admin)                        # … and the campaign's own page links there
    click(admin, "link", "阶段考核")
    confirm(admin, "button", f"通过 {DORM} 评估考核（结项验收）", "授予荣誉称号")
    expect(admin.get_by_role("status")).to_contain_text("已评定为通过")

    # -- the dorm's titles and certificate, from its application page and the final list ---------------
    menu(leader, "我的申报")
    click(leader, "link", DORM)
    for _attempt in range(40):   # the titles follow the passed evaluation in its outbox
        if leader.get_by_text("退伍军人寝室").count():
            break
        leader.wait_for_timeout(500)
        leader.reload()
    expect(leader.get_by_text("各阶段考核均已通过")).to_be_visible()
    expect(leader.get_by_text("文明寝室（环境优美型）").first).to_be_visible()
    expect(leader.get_by_text("退伍军人寝室").first).to_be_visible()
    check(leader, "application-titled")
    with leader.expect_download() as download:
        leader.get_by_role("link", name="荣誉证书（PDF） 退伍军人寝室").first.click()
    data = open(download.value.path(), "rb").read()
    text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert data.startswith(b"%PDF") and DORM in text and "退伍军人寝室" in text

    menu(leader, "公示公告")
    click(leader, "link", f"查看正式名单 {CAMPAIGN}")
    expect(leader.get_by_role("link", name=f"荣誉证书（PDF） {DORM}")).to_have_count(2)
    expect(leader.get_by_text("退伍军人寝室")).to_be_visible()
    check(leader, "final-list")
