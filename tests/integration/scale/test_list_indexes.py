"""Every list and every timer query is served by an index (explain on the real
server): the queries checked are the ones the stores really send, captured with a
pymongo CommandListener while the store methods run."""
from datetime import datetime, timedelta, timezone

import pytest
from pymongo import MongoClient

from core.mongo import database_name
from services.applications.domain.visibility import SHOWN_STATES
from tests.integration.command_log import Started
from tests.integration.scale.query_plans import plan

SHOWN = [list(pair) for pair in SHOWN_STATES]


@pytest.fixture
def world(config):
    finds = Started("find")
    client = MongoClient(config["MONGO_URI"], tz_aware=True, event_listeners=[finds])

    def store(cls, name):
        made = cls(client[database_name(config, name)], config)
        made.ensure_indexes()
        return made

    yield client, finds, store
    client.close()


def served(client, finds, call, *args, **kwargs):
    """Run a store method; the plans of the finds it sent. Fails naming any query
    that the server would answer by scanning its collection."""
    finds.commands.clear()
    call(*args, **kwargs)
    assert finds.commands, f"{call.__name__} sent no find"
    plans = []
    for database, command in finds.commands:
        found = plan(client[database], command)
        assert found["index"], (call.__name__, command.get("filter"), found["plan"])
        assert found["sort_in_memory"] in (None, False), (call.__name__, command.get("sort"), found["plan"])
        plans.append(found)
    return plans


def test_application_lists_audit_and_people_are_index_served(world):
    from services.applications.store import ApplicationsStore
    client, finds, store = world
    apps = store(ApplicationsStore, "applications")
    now = datetime.now(timezone.utc)
    docs = [{"_id": f"app_{i:04d}", "campaign_id": f"c{i // 20}", "college_id": f"college_{i % 2}",
             "applicant_id": f"branch_{i % 20}", "unit_path": ["school_demo", f"college_{i % 2}"],
             "state": ["draft", "submitted", "approved"][i % 3], "submitted_at": None if i % 3 == 0 else now,
             "updated_at": now - timedelta(seconds=i // 2), "updated_ts": (now - timedelta(seconds=i // 2)).timestamp(),
             "version": 1} for i in range(60)]
    apps.db.applications.insert_many(docs)
    admin = {"applicant_ids": ["p_admin"], "college_ids": [], "school_units": ["school_demo"],
             "hidden_states": ["draft"], "shown_states": SHOWN, "whole_campaigns": []}
    counselor = {"applicant_ids": ["p_counselor"], "college_ids": ["college_1"], "school_units": [],
                 "hidden_states": ["draft"], "shown_states": SHOWN, "whole_campaigns": []}
    secretary = {"applicant_ids": ["branch_2", "p_sec"], "college_ids": [], "school_units": [],
                 "hidden_states": ["draft"], "shown_states": SHOWN, "whole_campaigns": []}
    served(client, finds, apps.list_applications, admin, campaign_id="c1", limit=20)
    served(client, finds, apps.list_applications, dict(admin, whole_campaigns=["c1"]), campaign_id="c1", limit=20)
    served(client, finds, apps.list_applications, counselor, limit=20)
    served(client, finds, apps.list_applications, counselor, state="submitted", limit=20)
    served(client, finds, apps.list_applications, secretary, limit=20)
    first = apps.list_applications(counselor, limit=7)
    served(client, finds, apps.list_applications, counselor, limit=7, after=first[-1]["_id"])
    served(client, finds, apps.audit_trail, "app_0001")
    served(client, finds, apps.campaign_applications, "c1")
    served(client, finds, apps.campaign_states, "c1")                        # the dashboard's counts
    served(client, finds, apps.campaign_state_changes, "c1", {"app_0020"})   # both: new and old entries
    served(client, finds, apps.find_people, {"class_id": "class_x"})
    served(client, finds, apps.find_people, {"college_id": "college_1"})
    served(client, finds, apps.outboxes.stale, "applications", now)

    # Keyset pages: the same applications as one long page, in order, none twice,
    # also where many share one updated_at.
    whole = [d["_id"] for d in apps.list_applications(counselor, limit=500)]
    paged, after = [], None
    while True:
        page = apps.list_applications(counselor, limit=4, after=after)
        if not page:
            break
        paged += [d["_id"] for d in page]
        after = page[-1]["_id"]
    assert paged == whole and len(whole) == len({*whole}) == 20


def test_notification_queues_and_lists_are_index_served(world):
    from services.notifications.store import NotificationsStore
    client, finds, store = world
    notes = store(NotificationsStore, "notifications")
    now = datetime.now(timezone.utc)
    served(client, finds, notes.due, "email", now)
    served(client, finds, notes.expired_leases, now)
    served(client, finds, notes.unplanned_events, now)
    served(client, finds, notes.find_deliveries, state="dead")
    served(client, finds, notes.find_deliveries, event_id="evt_1")
    served(client, finds, notes.find_deliveries, recipient="p_admin")
    served(client, finds, notes.inbox.list, "p_admin")
    served(client, finds, notes.next_due_ts)


def test_scoring_review_queue_audit_and_sweeps_are_index_served(world):
    from services.scoring.store import OUTBOX_COLLECTIONS, ScoringStore
    client, finds, store = world
    scoring = store(ScoringStore, "scoring")
    served(client, finds, scoring.assignments, "c1", reviewer_id="p_reviewer")
    served(client, finds, scoring.assignments, "c1")
    served(client, finds, scoring.audit_trail, "c1")
    scoring.db.sheets.insert_many([{"_id": f"c1:a{i}:r{i % 2}", "campaign_id": "c1", "application_id": f"a{i}",
                                    "reviewer_id": f"r{i % 2}", "reviewer_name": f"评审{i % 2}",
                                    "state": "submitted"} for i in range(4)])
    assert scoring.reviewer_names("c1") == {"r0": "评审0", "r1": "评审1"}
    served(client, finds, scoring.reviewer_names, "c1")                      # the dashboard's reviewer spread
    served(client, finds, scoring.kept_spread, "c1")
    served(client, finds, scoring.reviewer_pairs, "r1")                      # a reviewer's next sheet to score
    served(client, finds, scoring.submitted_sheet_ids, "r1")
    for name in OUTBOX_COLLECTIONS:
        served(client, finds, scoring.outboxes.stale, name, datetime.now(timezone.utc))


def test_funding_outbox_and_jobs_are_index_served(world):
    from core.jobs import JobStore
    from services.funding.store import FundingStore
    client, finds, store = world
    funding = store(FundingStore, "funding")
    served(client, finds, funding.outcomes.unfinished, 5)
    jobs = JobStore(client[database_name(world_config(funding), "funding")].jobs, "funding")
    jobs.ensure_indexes()
    served(client, finds, jobs.latest, "export", "p_admin")


def world_config(store):
    return store.config
