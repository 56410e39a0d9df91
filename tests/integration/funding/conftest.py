"""The funding service on the platform, with what its tests need: a faculty advisor in
the directory, approved applications, a budget, a recorder of funding events and a
plain-AMQP consumer of ``funding.events``."""
import json
import threading

import eventlet
import pytest
from kombu import Connection, Exchange, Queue

from tests.integration.helpers import PDF, another_pdf, b64, campaign_payload, good_form

ADMIN = "p_admin"
FINANCE = "p_finance"
COUNSELOR_ME = "p_counselor_me"
COLLEGE_ADMIN_ME = "p_college_admin_me"
COUNSELOR_EM = "p_counselor_em"
LEAD = "p_2023010101"            # secretary of branch_me1 (college_me)
OTHER_LEAD = "p_2023020101"      # secretary of branch_em1 (college_em)
ADVISOR = "p_teacher_me"         # seeded below: 陈老师, faculty advisor
ADVISOR_EM = "p_teacher_em"
STUDENT = "p_2023010102"         # a member of branch_me1, no role in the project
COUNSELOR_OF = {"college_me": COUNSELOR_ME, "college_em": COUNSELOR_EM}


@pytest.fixture
def extra_services():
    from services.funding.service import FundingService
    return [FundingService]


def _teacher(login, name, college):
    from deploy.demo_data import DEMO_PASSWORD
    return {"_id": f"p_{login}", "login": login, "name": name, "school_id": "school_demo",
            "college_id": college, "password": DEMO_PASSWORD,
            "roles": [{"role": "advisor", "unit_id": college}]}


@pytest.fixture
def rpc(rpc):
    """The cluster proxy, with the faculty advisors seeded and the pilot-branch rules
    registered with the funding service (the plugin registers them at start)."""
    rpc.applications.seed_directory([], [_teacher("teacher_me", "陈老师", "college_me"),
                                         _teacher("teacher_em", "林老师", "college_em")])
    for _ in range(100):
        try:
            if rpc.funding.get_rules("pilot_branches")["tiers"]:
                break
        except Exception:  # not registered yet
            pass
        eventlet.sleep(0.1)
    else:
        raise AssertionError("the pilot_branches funding rules never registered")
    return rpc


def approved_application(rpc, campaign_id, secretary, title="先锋领航进宿舍"):
    """A pilot-branch application taken through submit → college → school approval."""
    app = rpc.applications.create_application(secretary, campaign_id, {"form": good_form(title=title)})
    rpc.applications.add_attachment(secretary, app["id"], "application_form", "申请表.pdf", b64(PDF))
    rpc.applications.act(secretary, app["id"], {"action": "submit"})
    rpc.applications.act(COUNSELOR_OF[app["college_id"]], app["id"], {"action": "college_approve"})
    return rpc.applications.act(ADMIN, app["id"], {"action": "approve"})


def new_campaign(rpc):
    return rpc.applications.open_campaign(ADMIN, campaign_payload())


DEADLINES = {"implementation_start": "2025-10-01T00:00:00+08:00",
             "implementation_end": "2025-12-31T23:59:59+08:00",
             "closing_deadline": "2025-12-15T17:00:00+08:00"}


def open_budget(rpc, campaign_id, budget_yuan="20000", key=None):
    return rpc.funding.open_campaign(ADMIN, {"campaign_id": campaign_id, "budget_yuan": budget_yuan,
                                             "deadlines": DEADLINES}, key or f"open-{campaign_id}")


def award(rpc, campaign_id, application_id, tier="key", amount_yuan="5000", advisor=ADVISOR, key=None):
    return rpc.funding.award_grant(ADMIN, campaign_id, {"application_id": application_id, "tier": tier,
                                                        "amount_yuan": amount_yuan, "advisor_id": advisor},
                                   key or f"award-{application_id}")


def receipt(rpc, grant_id, lead=LEAD, name="发票.pdf"):
    return rpc.funding.add_attachment(lead, grant_id, "receipt", name, b64(another_pdf()))["id"]


def claim_body(receipts, *amounts_yuan, purpose="主题党日活动物料"):
    return {"items": [{"description": f"支出{i + 1}", "amount_yuan": a} for i, a in enumerate(amounts_yuan)],
            "receipts": list(receipts), "purpose": purpose}


@pytest.fixture
def funded(rpc):
    """A campaign with a ¥20,000 budget and branch_me1's approved project funded as a
    key project with ¥5,000: (campaign, grant)."""
    campaign = new_campaign(rpc)
    app = approved_application(rpc, campaign["id"], LEAD)
    open_budget(rpc, campaign["id"])
    return campaign, award(rpc, campaign["id"], app["id"])


@pytest.fixture
def funding_events(config, platform, container_factory):
    """Every funding event received by a Nameko subscriber, in arrival order."""
    from nameko.events import event_handler

    received = []

    class FundingRecorder:
        name = "test_funding_recorder"

        @event_handler("funding", "grant.awarded")
        def awarded(self, payload):
            received.append(payload)

        @event_handler("funding", "claim.approved")
        def approved(self, payload):
            received.append(payload)

        @event_handler("funding", "project.closed")
        def closed(self, payload):
            received.append(payload)

    container = container_factory(FundingRecorder, config)
    container.start()
    return received


@pytest.fixture
def amqp_consumer(config, platform):
    """A plain AMQP (kombu, not Nameko) consumer bound to ``funding.events`` with ``#``,
    as a campus finance system would bind its own durable queue. Yields the list of
    decoded envelopes, filled by a background green thread."""
    received = []
    exchange = Exchange("funding.events", type="topic", durable=True, auto_delete=False)
    queue = Queue("campus-finance.grant-events", exchange=exchange, routing_key="#", durable=True,
                  auto_delete=False)
    stop = threading.Event()
    conn = Connection(config["AMQP_URI"])
    queue(conn.default_channel).declare()

    def on_message(body, message):
        received.append(body if isinstance(body, dict) else json.loads(body))
        message.ack()

    def drain():
        with conn.Consumer(queue, callbacks=[on_message], accept=["json"], prefetch_count=20):
            while not stop.is_set():
                try:
                    conn.drain_events(timeout=0.2)
                except Exception:  # socket.timeout between messages
                    continue

    worker = eventlet.spawn(drain)
    yield received
    stop.set()
    worker.wait()
    conn.release()


def wait_until(predicate, seconds=10):
    for _ in range(int(seconds * 10)):
        if predicate():
            return True
        eventlet.sleep(0.1)
    return predicate()
