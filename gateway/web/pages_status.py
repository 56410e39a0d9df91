"""The platform's status for school admins (运行状态): each service and program, ready
or not, and which of its checks failed, asked in parallel with a short timeout
(gateway/observability.py). The same numbers are public as JSON at /api/status, so
when the applications service itself cannot say who is asking, the page is shown to
any logged-in person rather than hidden from the admin who needs it most."""
from flask import current_app, render_template

from core.errors import PermissionDenied
from core.programs import installed_programs
from core.topology import service_names
from gateway.observability import service_status
from gateway.web import blp, i18n, menu, session
from gateway.web.pages_common import load_me, no_store

i18n.add({
    "platform_status": ("运行状态", "Platform status"),
    "status_all_ready": ("全部服务运行正常", "Every service is ready"),
    "status_degraded": ("部分服务不可用", "Some services are not ready"),
    "component": ("组成部分", "Component"),
    "ready_state": ("状态", "State"),
    "answered_in": ("应答耗时", "Answered in"),
    "problems": ("问题", "Problems"),
    "is_ready": ("正常", "Ready"),
    "not_ready": ("不可用", "Not ready"),
    "no_answer": ("无应答（超时）", "No answer (timed out)"),
    "broker_unreachable": ("无法连接消息队列", "The message broker cannot be reached"),
    "service_error": ("服务出错", "The service failed"),
    "check_broker": ("消息队列连接", "Broker connection"),
    "check_database": ("数据库", "Database"),
    "check_registered": ("项目已注册", "Program registered"),
    "status_refreshed": ("每次打开本页时重新检查；监控系统可读取 /api/status。",
                         "Checked afresh each time this page opens; monitoring reads /api/status."),
    "svc_applications": ("申报与名单服务", "Applications service"),
    "svc_scoring": ("评审与评分服务", "Scoring service"),
    "svc_funding": ("经费服务", "Funding service"),
    "svc_notifications": ("通知服务", "Notifications service"),
    "svc_records": ("荣誉与事实记录服务", "Records service"),
    "program_process": ("评选项目：%s", "Program: %s"),
})
menu.add("web.platform_status", "platform_status", ["school_admin"])


def _label(name):
    if name in service_names():
        key = f"svc_{name}"
        return i18n.t(key) if key in i18n.MESSAGES else name
    program = name.removeprefix("program_")
    try:
        declared = installed_programs()[program].load()
        title = i18n.pick(declared.title_zh, getattr(declared, "title_en", None) or declared.title_zh)
    except Exception:  # an uninstalled or broken plugin is still listed, by its name
        title = program
    return i18n.t("program_process") % title


def _problems(answer):
    if answer.get("error") == "timeout":
        return [i18n.t("no_answer")]
    if str(answer.get("error", "")).startswith("broker unreachable"):
        return [i18n.t("broker_unreachable")]
    if answer.get("error"):
        return [i18n.t("service_error")]
    return [i18n.t(f"check_{check}") for check, ok in answer.get("checks", {}).items() if not ok]


@blp.route("/status")
@session.page_login_required
def platform_status():
    healthy, answers = service_status(current_app.config["CX"])
    if answers.get("applications", {}).get("ready"):
        me = load_me()
        if "school_admin" not in {r["role"] for r in me.get("roles", [])}:
            raise PermissionDenied("The platform status is for school administrators.", "运行状态仅供学校管理员查看")
    rows = [{"label": _label(name), "ready": a["ready"], "ms": a.get("ms"), "problems": _problems(a)}
            for name, a in answers.items()]
    return no_store(render_template("status.html", healthy=healthy, rows=rows))
