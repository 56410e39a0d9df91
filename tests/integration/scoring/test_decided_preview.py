"""A campaign whose applications are all decided (none under review any more) is
previewed without reading its assignments and sheets: none of them counts then,
and a school's are 25,000 each (real services, bus and database)."""
import eventlet
import pytest

from tests.integration.command_log import count_commands
from tests.integration.scoring import world


@pytest.fixture
def commands(monkeypatch):
    return count_commands(monkeypatch)


def _finished(rpc, job):
    for _ in range(300):
        job = rpc.scoring.get_job("p_admin", job["id"])
        if job["state"] in ("succeeded", "failed"):
            return job
        eventlet.sleep(0.1)
    raise AssertionError(f"the job never ended: {job}")


def _reviews_read(commands, cid):
    return [c for c in commands.seen if c.split()[1].endswith((".assignments", ".sheets")) and cid in c]


def test_a_decided_campaign_is_previewed_without_reading_its_reviews(commands, scoring, mongo):
    campaign, apps = world.open_round(scoring, ("me1", "me2"))
    cid = campaign["id"]
    scoring.scoring.configure("p_admin", cid, {"reviewers_per_application": 2, "blind_review": False})
    assert _finished(scoring, scoring.scoring.auto_assign("p_admin", cid))["state"] == "succeeded"
    assert mongo("scoring").assignments.count_documents({"campaign_id": cid}) == 4

    commands.seen.clear()                               # under review: the reviews are read
    _finished(scoring, scoring.scoring.compute_results("p_admin", cid))
    assert _reviews_read(commands, cid)

    # every application decided, as finalising leaves them
    for app in apps.values():
        doc = mongo("applications").applications.find_one({"_id": app["id"]})
        mongo("applications").applications.replace_one({"_id": app["id"]}, dict(doc, state="approved"))
    commands.seen.clear()
    job = _finished(scoring, scoring.scoring.compute_results("p_admin", cid))
    assert job["state"] == "succeeded", job
    assert _reviews_read(commands, cid) == []
    assert job["result"] in ({"selected": 0, "rest": 0},) or "problem" in job["result"], job["result"]
