"""Choosing whom to apply for, attachments and withdrawal in a real browser on the demo
platform, from the home page on (no typed URL after logging in):

* the counselor of 机电学院 opens the 先进班集体 campaign and sees, BEFORE any form,
  every class of the college: the year-4 class 计算机2301班 refused with its reason
  (大四), the year-2 class eligible; applies on behalf of the year-2 class;
* uploads a 12 MB phone photo: the browser shrinks it (static/photo_resize.js) and it is
  accepted, with the typed but unsaved goals kept;
* replaces the photo and deletes it (behind the confirm dialog), typed fields kept;
* withdraws (confirm dialog) and reopens the draft while the window is open.

axe-core on every page and screenshots at desktop and phone widths
(test-artifacts/screenshots/choices-*.png)."""
import io
import random

from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import check_widths, login
from tests.browser.test_dorm_cycle import YEAR, png
from tests.browser.test_whole_flow import click, confirm

CAMPAIGN = f"{YEAR}-{YEAR + 1} 学年先进班集体创建评选"
YEAR2 = f"软件{(YEAR - 1) % 100:02d}01班"    # entry year Y-1: year 2 (deploy/demo_people.py)
YEAR4 = "计算机2301班"                         # entry year 2023 (deploy/demo_data.py)


def check(page, name):
    check_widths(page, f"choices-{name}", axe_on_phone=True)


def phone_photo():
    """A 12 MB PNG (noise does not compress), the size of a phone's photo."""
    rng = random.Random(12)
    out = io.BytesIO()
    Image.frombytes("RGB", (2000, 2000), rng.randbytes(2000 * 2000 * 3)).save(out, "PNG", compress_level=1)
    data = out.getvalue()
    assert len(data) > 11_000_000
    return data


def card(page, name):
    return page.locator("li.candidate").filter(has=page.get_by_role("heading", name=name))


def test_a_counselor_chooses_a_class_uploads_a_phone_photo_replaces_deletes_withdraws_and_reopens(new_page):
    counselor = new_page()
    login(counselor, "counselor_me")
    click(counselor, "link", CAMPAIGN)

    # -- every class of the college, judged before the form ----------------------------------
    expect(counselor.get_by_role("heading", name="选择申报对象")).to_be_visible()
    refused = card(counselor, YEAR4)
    expect(refused).to_contain_text("不符合条件")
    expect(refused).to_contain_text("大四")
    expect(refused.get_by_role("button", name="申报")).to_have_count(0)
    eligible = card(counselor, YEAR2)
    expect(eligible).to_contain_text("符合条件")
    expect(eligible).to_contain_text("代为申报")
    check(counselor, "campaign")
    with counselor.expect_navigation():
        eligible.get_by_role("button", name="申报", exact=True).click()
    counselor.wait_for_load_state()
    expect(counselor.locator("h1")).to_contain_text(YEAR2)
    # The limits are there before choosing a file.
    expect(counselor.locator("ul.att-rules")).to_contain_text("JPG、PNG")
    expect(counselor.locator("ul.att-rules")).to_contain_text("10 MB")

    # -- a 12 MB photo: shrunk in the browser, uploaded, the typed goals kept -----------------
    goals = "建设学风优良、团结互助的先进班集体。"
    counselor.fill("#f-goals", goals)
    counselor.select_option("#att-kind", "photo")
    counselor.set_input_files("#att-file", files=[{"name": "IMG_2041.png", "mimeType": "image/png",
                                                   "buffer": phone_photo()}])
    expect(counselor.locator("#att-resized")).to_be_visible(timeout=30000)   # photo_resize.js did it
    counselor.get_by_role("button", name="保存并上传").click()
    expect(counselor.locator("a:has-text('IMG_2041.jpg')")).to_be_visible(timeout=30000)
    expect(counselor.get_by_role("status")).to_have_text("附件已上传，表单内容已一并保存")
    expect(counselor.locator("#f-goals")).to_have_value(goals)
    check(counselor, "application-photo")

    # -- replace it, with an unsaved edit that must survive -------------------------------------
    measures = "每月开展主题班会，建立学习互助小组。"
    counselor.fill("#f-measures", measures)
    counselor.get_by_label("替换为新文件（IMG_2041.jpg）").set_input_files(
        files=[{"name": "班级合影.png", "mimeType": "image/png", "buffer": png(90)}])
    with counselor.expect_navigation():
        counselor.get_by_role("button", name="替换：IMG_2041.jpg").click()
    counselor.wait_for_load_state()
    expect(counselor.get_by_role("status")).to_have_text("附件已替换，表单内容已一并保存")
    expect(counselor.locator("a:has-text('班级合影.png')")).to_be_visible()
    expect(counselor.locator("a:has-text('IMG_2041.jpg')")).to_have_count(0)
    expect(counselor.locator("#f-measures")).to_have_value(measures)
    expect(counselor.locator("#f-goals")).to_have_value(goals)

    # -- delete it (the dialog says it cannot be undone) ----------------------------------------
    counselor.fill("#f-foundation", "班级连续两年无挂科。")
    confirm(counselor, "button", "删除：班级合影.png", "删除后不能恢复")
    expect(counselor.get_by_role("status")).to_have_text("附件已删除，表单内容已一并保存")
    expect(counselor.locator("a:has-text('班级合影.png')")).to_have_count(0)
    expect(counselor.locator("#f-foundation")).to_have_value("班级连续两年无挂科。")
    check(counselor, "application-draft")

    # -- withdraw (confirm), then reopen while the window is open ------------------------------
    confirm(counselor, "button", "撤回", "确定撤回吗", exact=True)
    expect(counselor.get_by_role("status")).to_contain_text("已撤回申报")
    expect(counselor.get_by_role("button", name="撤回", exact=True)).to_have_count(0)
    check(counselor, "application-withdrawn")
    click(counselor, "button", "重新打开", exact=True)
    expect(counselor.get_by_role("status")).to_have_text("已重新打开申报，可以修改后再次提交")
    expect(counselor.locator("#f-goals")).to_have_value(goals)
    expect(counselor.get_by_role("button", name="保存并提交")).to_be_visible()

