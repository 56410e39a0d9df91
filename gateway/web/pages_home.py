"""Home (首页): what waits for the person (待办) above the campaigns.

The to-do list asks each service for its counts in one RPC (`todo_counts`), all at
once with one deadline (gateway/status.py `ask_all`, GATEWAY.TODO_TIMEOUT_SECONDS,
2 s by default): a service that is dead or slow shows "暂不可用" for its items and
the rest of the page renders within that deadline. Each item links to the page
where the person acts.
"""
from flask import current_app, g, render_template, url_for

from gateway.api import rpc
from gateway.status import ask_all
from gateway.web import blp, i18n, session
from gateway.web.pages_common import load_me

i18n.add({
    "todo": ("我的待办", "Waiting for me"),
    "todo_review": ("待审核", "To review"),
    "todo_to_score": ("待评分", "To score"),
    "todo_claims_to_approve": ("待审批报销", "Claims to approve"),
    "todo_returned": ("已退回", "Returned to me"),
    "todo_objections": ("异议待处理", "Objections to answer"),
    "todo_stage_reports_due": ("待提交阶段报告", "Stage reports to hand in"),
    "todo_stage_reports_to_assess": ("待审核阶段报告", "Stage reports to assess"),
    "todo_unavailable": ("暂不可用", "Unavailable right now"),
    "todo_nothing": ("暂无待办事项", "Nothing waits for you"),
    "todo_service_applications": ("申报与审核", "Applications and reviews"),
    "todo_service_scoring": ("评分任务", "Scoring"),
    "todo_service_funding": ("经费报销", "Claims"),
})

#: (service, item, the page where the person acts: (endpoint, query) tried in order)
ITEMS = (
    ("applications", "review", (("web.review_queue", {}),)),
    ("scoring", "to_score", (("web.my_reviews", {}),)),
    ("funding", "claims_to_approve", (("web.finance_queue", {}),)),
    ("applications", "returned", (("web.my_applications", {}),)),
    ("applications", "objections", (("web.admin_campaigns", {}),)),
    ("applications", "stage_reports_due", (("web.my_applications", {}),)),
    ("applications", "stage_reports_to_assess", (("web.admin_stages_overview", {}), ("web.admin_campaigns", {}))),
)
#: Roles for whom a service's items matter when the service did not answer.
SERVICE_ROLES = {
    "applications": None,
    "scoring": {"reviewer", "counselor"},
    "funding": {"finance", "college_admin", "counselor", "advisor", "school_admin"},
}


def _link(item, roles, counts):
    """The first page of the item that exists (another module may add a better one);
    stage reports due for one application lead to that application's stages page."""
    if item == "stage_reports_due" and counts.get("stage_reports_due_application"):
        return url_for("web.stages_page", application_id=counts["stage_reports_due_application"])
    for endpoint, query in dict((i, p) for _s, i, p in ITEMS)[item]:
        if endpoint in current_app.view_functions:
            if item == "review" and "school_admin" in roles and not roles & {"counselor", "college_admin"}:
                query = dict(query, state="college_approved")
            return url_for(endpoint, **query)
    return None


def todo_list(actor_id, roles):
    """[{"item", "label", "count" or None (unavailable), "url"}] in ITEMS order, and
    the services that did not answer ([{"service", "label"}])."""
    timeout = float(current_app.config["CX"].get("GATEWAY", {}).get("TODO_TIMEOUT_SECONDS", 2))
    services = sorted({s for s, _i, _p in ITEMS})
    calls = {s: (s, "todo_counts", (actor_id,)) for s in services}
    calls["badge"] = ("notifications", "unread_count", (actor_id,))   # the menu's badge, in the same round
    answers = ask_all(current_app.config["CX"], calls, timeout)
    g.unread_badge = (answers["badge"]["result"] or {}).get("unread") if answers["badge"]["ok"] else None
    items, down = [], []
    for service, item, _pages in ITEMS:
        answer = answers[service]
        if answer["ok"] and item in (answer["result"] or {}):
            items.append({"item": item, "label": i18n.t(f"todo_{item}"), "count": answer["result"][item],
                          "url": _link(item, roles, answer["result"])})
    for service in services:
        wanted = SERVICE_ROLES[service]
        if not answers[service]["ok"] and (wanted is None or wanted & roles):
            down.append({"service": service, "label": i18n.t(f"todo_service_{service}")})
    return items, down


@blp.route("/")
@session.page_login_required
def home():
    load_me()
    items, down = todo_list(g.actor_id, g.my_roles)
    with rpc() as cluster:
        campaigns = cluster.applications.list_campaigns(g.actor_id, False)
    return render_template("home.html", campaigns=campaigns, todo=items, todo_down=down)

