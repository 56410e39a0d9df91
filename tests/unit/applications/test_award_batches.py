"""Awards at finalise ask the program for titles once per batch of entries
(awards.grant_many), each entry granted with its own answer, in order."""
from types import SimpleNamespace

from services.applications import awards


class Program:
    def __init__(self):
        self.calls = []

    def award_titles_many(self, contexts):
        self.calls.append(len(contexts))
        return [[{"code": c["entry"]["grade"], "title": c["application"]["id"]}] for c in contexts]

    def award_titles(self, context):   # the per-entry hook must not be used
        raise AssertionError("one call per entry")


def test_one_program_call_per_batch_and_each_entry_gets_its_own_titles(monkeypatch):
    program = Program()
    deps = SimpleNamespace(hooks={"civilized_dorms": program})
    campaign = {"_id": "cmp_1", "program": "civilized_dorms"}
    pairs = [({"_id": f"app_{i}", "state": "approved"}, {"application_id": f"app_{i}", "grade": f"g{i % 3}"})
             for i in range(awards.AWARD_BATCH * 2 + 7)]
    granted = []

    def fake_grant(deps_, campaign_, app, entry, by, source, now, titles=None):
        granted.append((app["_id"], entry["grade"], titles))
        return [app["_id"]]

    monkeypatch.setattr(awards, "grant", fake_grant)
    out = awards.grant_many(deps, campaign, pairs, {"id": "p_admin"}, "final_list", None)
    assert program.calls == [awards.AWARD_BATCH, awards.AWARD_BATCH, 7]
    assert [g[0] for g in granted] == [a["_id"] for a, _e in pairs] and out == [a["_id"] for a, _e in pairs]
    assert all(titles == [{"code": grade, "title": app_id}] for app_id, grade, titles in granted)
