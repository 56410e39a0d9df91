"""The people and applications of the scoring tests, and the hand-worked scores.

Branches (all pilot-branch applicants) and who speaks for them:
    branch_me1 李明 2023010101, branch_me2 张伟 2023010201, branch_me3 赵强 2023010301 (college_me)
    branch_em1 陈静 2023020101, branch_em2 黄老师 sec_em2, branch_em3 钱芳 2023020301 (college_em)
Reviewers (role reviewer): rev_a, rev_b at school level (no college); rev_c, rev_d in
college_me; rev_e, rev_f in college_em; rev_stu, a student of class_me1 / dorm_me1 /
branch_me1 holding the reviewer role at college_me (outside the default pool, which is
everyone with the reviewer role at the school), and the demo's `reviewer` (冯教授, school).
"""
from deploy.demo_data import COLLEGES, DEMO_PASSWORD, SCHOOL
from services.applications.directory import make_unit
from tests.integration.helpers import PDF, b64, campaign_payload, good_form

EXTRA_BRANCHES = {
    "me3": make_unit("branch", "机电学院学生第三党支部", COLLEGES["me"], unit_id_="branch_me3"),
    "em3": make_unit("branch", "经管学院学生第二党支部", COLLEGES["em"], unit_id_="branch_em3"),
}

# login -> (branch unit, secretary person id); the applicants of a round, in this order.
SECRETARIES = {
    "me1": "2023010101", "me2": "2023010201", "me3": "2023010301",
    "em1": "2023020101", "em2": "sec_em2", "em3": "2023020301",
}
COUNSELOR = {"me": "p_counselor_me", "em": "p_counselor_em"}


def _person(login, name, roles, **units):
    return {"_id": f"p_{login}", "login": login, "name": name, "school_id": SCHOOL["_id"], "password": DEMO_PASSWORD,
            "roles": roles, **units}


def _reviewer(login, name, unit_id="school_demo", **units):
    return _person(login, name, [{"role": "reviewer", "unit_id": unit_id}], **units)


def extra_directory():
    units = [dict(u) for u in EXTRA_BRANCHES.values()]
    people = [
        _person("2023010301", "赵强", [{"role": "student", "unit_id": "class_me2"},
                                     {"role": "branch_secretary", "unit_id": "branch_me3"}],
                college_id="college_me", class_id="class_me2", dorm_id="dorm_me1", branch_id="branch_me3"),
        _person("2023020301", "钱芳", [{"role": "student", "unit_id": "class_em2"},
                                     {"role": "branch_secretary", "unit_id": "branch_em3"}],
                college_id="college_em", class_id="class_em2", dorm_id="dorm_em1", branch_id="branch_em3"),
        _reviewer("rev_a", "周教授"),
        _reviewer("rev_b", "吴教授"),
        _reviewer("rev_c", "王老师", college_id="college_me"),
        _reviewer("rev_d", "刘老师", college_id="college_me"),
        _reviewer("rev_e", "郑老师", college_id="college_em"),
        _reviewer("rev_f", "林老师", college_id="college_em"),
        _person("rev_stu", "孙同学", [{"role": "student", "unit_id": "class_me1"},
                                    {"role": "reviewer", "unit_id": "college_me"}],
                college_id="college_me", class_id="class_me1", dorm_id="dorm_me1", branch_id="branch_me1"),
        _person("admin2", "校学工部副管理员", [{"role": "school_admin", "unit_id": "school_demo"}]),
    ]
    return units, people


def open_round(rpc, branches=tuple(SECRETARIES)):
    """A pilot-branch campaign with one college-approved application per branch in
    `branches`, created through the applications service as each branch's
    secretary. Returns (campaign, {branch key: application})."""
    campaign = rpc.applications.open_campaign("p_admin", campaign_payload())
    apps = {}
    for key in branches:
        who = f"p_{SECRETARIES[key]}"
        app = rpc.applications.create_application(who, campaign["id"], {"form": good_form(title=f"项目 {key}")})
        rpc.applications.add_attachment(who, app["id"], "application_form", "项目申请表.pdf", b64(PDF))
        rpc.applications.act(who, app["id"], {"action": "submit"})
        apps[key] = rpc.applications.act(COUNSELOR[key[:2]], app["id"], {"action": "college_approve"})
    return campaign, apps


LEAVES = ("goals", "measures", "innovation", "feasibility", "outcomes", "budget")
# total = goals + 1.5·measures + 2·innovation + 2·feasibility + 2.5·outcomes + budget
COEFFICIENTS = {"goals": 1.0, "measures": 1.5, "innovation": 2.0, "feasibility": 2.0, "outcomes": 2.5, "budget": 1.0}

# Each application's middle marks. Its three reviewers (sorted by id) give
# base - 2, base and base + 1 on every leaf, so the trimmed mean (drop one highest,
# one lowest) is the base itself whoever the reviewers are (the plain mean would be
# base - 1/3).
BASES = {
    "me1": dict(goals=9, measures=9, innovation=8, feasibility=8, outcomes=9, budget=8),   # 85.0 (vetoed)
    "me2": dict(goals=8, measures=8, innovation=9, feasibility=8, outcomes=8, budget=8),   # 82.0
    "em1": dict(goals=8, measures=8, innovation=8, feasibility=9, outcomes=8, budget=8),   # 82.0, less innovative
    "em3": dict(goals=7, measures=8, innovation=7, feasibility=7, outcomes=8, budget=7),   # 74.0
    "em2": dict(goals=7, measures=7, innovation=7, feasibility=7, outcomes=7, budget=7),   # 70.0
    "me3": dict(goals=6, measures=5, innovation=5, feasibility=6, outcomes=5, budget=6),   # 54.0 (< 60)
}
OFFSETS = (-2, 0, 1)


def total(base):
    return sum(COEFFICIENTS[k] * v for k, v in base.items())


def marks(key, position):
    return {leaf: BASES[key][leaf] + OFFSETS[position] for leaf in LEAVES}


class EventTap:
    """A plain AMQP subscriber (kombu, not Nameko) on the public exchange
    ``scoring.events``, as another campus system would bind one."""

    def __init__(self, amqp_uri, routing_key="scoring.results_published"):
        import uuid

        from kombu import Connection, Exchange, Queue
        self.connection = Connection(amqp_uri)
        exchange = Exchange("scoring.events", type="topic", durable=True)
        queue = Queue(f"tap-{uuid.uuid4().hex[:8]}", exchange=exchange, routing_key=routing_key,
                      auto_delete=True)
        self.queue = self.connection.SimpleQueue(queue)

    def drain(self, seconds=3.0, until=None):
        """Every message that arrives within `seconds` (stops early once `until`
        messages are in), as decoded envelopes."""
        import time
        from queue import Empty
        out, deadline = [], time.monotonic() + seconds
        while time.monotonic() < deadline and (until is None or len(out) < until):
            try:
                message = self.queue.get(timeout=0.2)
            except Empty:
                continue
            out.append(message.payload)
            message.ack()
        return out

    def close(self):
        self.queue.close()
        self.connection.release()
