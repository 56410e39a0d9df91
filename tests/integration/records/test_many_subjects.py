"""A hook asking about more subjects than the records service takes in one call (a
school's 5,000 dorms and 30,000 members): core.records_client asks in several calls
and answers as one call would, oldest first, each record once."""
import pytest
from nameko.standalone.events import event_dispatcher

from core.errors import ValidationFailed
from core.records_client import MAX_SUBJECTS, RecordsClient
from tests.integration.records.conftest import WANG_FANG, wait_until
from tests.integration.records.test_history_rpc import _add, _granted


def test_facts_of_more_subjects_than_one_call_takes(rpc):
    later = _add(rpc, "commendation", "2024-03-01", {"level": "school", "name": "先进党支部"}, subject="branch_em1")
    earlier = _add(rpc, "commendation", "2023-03-01", {"level": "school", "name": "先进党支部"})   # branch_me1
    # Sorted, branch_em1 < branch_f... < branch_me1: the two facts are found by different calls,
    # the later one by the first call.
    subjects = ["branch_me1", "branch_em1"] + [f"branch_f{n:05d}" for n in range(MAX_SUBJECTS)]
    with pytest.raises(ValidationFailed) as caught:
        rpc.records.facts(subjects, ["commendation"], None)      # the service alone refuses them
    assert caught.value.field == "subject_ids"

    found = RecordsClient(rpc.records).facts(subjects, ["commendation"], None)
    assert [(f["id"], f["subject_id"], f["date"]) for f in found] == [
        (earlier, "branch_me1", "2023-03-01"), (later, "branch_em1", "2024-03-01")]
    assert RecordsClient(rpc.records).facts(["branch_em1"], ["commendation"], None)[0]["id"] == later


def test_awards_of_more_subjects_than_one_call_takes_each_once(config, rpc, mongo):
    event_dispatcher(config)("applications", "award.granted", _granted())   # dorm_me1, WANG_FANG a member
    assert wait_until(lambda: mongo("records").awards.count_documents({}) == 1)
    # Sorted, dorm_me1 < e... < p_2023010102: the dorm's call and its member's both find the award.
    subjects = [WANG_FANG, "dorm_me1"] + [f"e{n:05d}" for n in range(MAX_SUBJECTS)]
    found = RecordsClient(rpc.records).awards(subject_ids=subjects, program="civilized_dorms")
    assert [a["id"] for a in found] == ["award:app_dorm1:party_model"]
    assert RecordsClient(rpc.records).awards(subject_ids=subjects, program="class_collectives") == []
