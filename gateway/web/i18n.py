"""Chinese by default, English on request: the `cx_lang` cookie, set by /lang/<code>.

`t(key)` looks a key up in MESSAGES for the current language; service errors carry
both languages already (`message_zh`, `message`), and `pick(zh, en)` chooses.
Page modules add their keys with `add({...})` next to the pages that use them.
"""
from flask import g, request

LANGUAGES = ("zh", "en")
LANG_COOKIE = "cx_lang"

MESSAGES = {
    "app_name": ("创先争优工作平台", "Chuangxian excellence programs"),
    "skip_to_content": ("跳到正文", "Skip to content"),
    "language": ("语言", "Language"),
    "switch_language": ("English", "中文"),
    "login": ("登录", "Log in"),
    "logout": ("退出登录", "Log out"),
    "login_name": ("账号（学号/工号）", "Login (student or staff number)"),
    "password": ("密码", "Password"),
    "login_failed": ("登录失败", "Log-in failed"),
    "home": ("首页", "Home"),
    "campaigns": ("评选活动", "Campaigns"),
    "my_applications": ("我的申报", "My applications"),
    "signed_in_as": ("当前用户", "Signed in as"),
    "error": ("出错了", "Something went wrong"),
    "back": ("返回", "Back"),
    "open_now": ("申报中", "Open now"),
    "closed": ("已截止", "Closed"),
    "not_open_yet": ("未开始", "Not open yet"),
    "deadline": ("截止时间", "Deadline"),
    "time_left": ("剩余时间", "Time left"),
    "no_campaigns": ("暂无评选活动", "No campaigns"),
    "program": ("项目", "Program"),
    "academic_year": ("学年", "Academic year"),
    "scope": ("范围", "Scope"),
    "window": ("申报时间", "Application window"),
    "status": ("状态", "Status"),
    "actions": ("操作", "Actions"),
    "save": ("保存", "Save"),
    "submit": ("提交", "Submit"),
    "beijing_time": ("北京时间", "Beijing time"),
    "times_are_beijing": ("本平台时间均为北京时间", "All times are Beijing time (UTC+8)"),
}


def add(messages):
    """Register a page module's messages {key: (zh, en)}; a key may be defined once."""
    for key, pair in messages.items():
        if key in MESSAGES and MESSAGES[key] != pair:
            raise ValueError(f"message {key!r} defined twice with different texts")
        MESSAGES[key] = pair


def current_language():
    lang = g.get("lang")
    if lang is None:
        lang = request.cookies.get(LANG_COOKIE)
        lang = lang if lang in LANGUAGES else "zh"
        g.lang = lang
    return lang


def t(key):
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    return pair[0] if current_language() == "zh" else pair[1]


def pick(zh, en):
    return zh if current_language() == "zh" else en
