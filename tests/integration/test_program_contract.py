"""A declaration a shared service refuses stops the program's process with that
service's message (no endless retry), and /healthz names a program that is not
registered."""
import copy
import dataclasses

import eventlet
import pytest

from core.program_service import RegistrationRefused, make_program_service


def test_a_refused_registration_stops_the_program_process_with_the_message(config, runner_factory):
    from plugins.pilot_branches.program import PROGRAM
    from services.applications.service import ApplicationsService
    from services.scoring.service import ScoringService

    # The contract holds (a tie-break names an indicator by a valid key); only the
    # scoring service knows the tree has no node "nope".
    scoring = dict(copy.deepcopy(PROGRAM.scoring), tie_breaks=[{"indicator": "nope", "order": "desc"}])
    broken = make_program_service(dataclasses.replace(PROGRAM, scoring=scoring))
    runner = runner_factory(config, ApplicationsService, ScoringService, broken)
    runner.start()
    with eventlet.Timeout(30), pytest.raises(RegistrationRefused) as stopped:
        runner.wait()
    assert "scoring refused program pilot_branches" in stopped.value.message_en
    assert "'nope' is not a node of the criteria tree" in stopped.value.message_en
    assert "不在评分指标体系中" in stopped.value.message_zh
    assert stopped.value.details[0]["field"] == "scoring.tie_breaks[0]"


def test_a_declaration_breaking_the_contract_does_not_start(config, runner_factory):
    from plugins.pilot_branches.program import PROGRAM
    from core.errors import ValidationFailed

    criteria = copy.deepcopy(PROGRAM.criteria)
    criteria["children"][0]["weight"] += 10     # the weights add up to 110
    bad = make_program_service(dataclasses.replace(PROGRAM, stages=["application", "reveiw"], criteria=criteria))
    runner = runner_factory(config, bad)
    with pytest.raises(ValidationFailed) as refused:
        runner.start()
    fields = [d["field"] for d in refused.value.details]
    assert fields[0] == "stages[1]" and "reveiw" in refused.value.message_en
    assert any(f.startswith("criteria") for f in fields) and "应为 100" in refused.value.message_zh


@pytest.fixture
def config(config):
    return dict(config, PROGRAMS=["pilot_branches", "civilized_dorms"])


def test_healthz_names_an_enabled_program_that_is_not_registered(http):
    health = http.client.get("/healthz")
    assert health.status_code == 503, health.json
    assert health.json["services"]["program_civilized_dorms"] is False   # its process never registered
    assert health.json["services"]["program_pilot_branches"] is True


def test_hooks_get_the_version_and_revision_the_campaign_pinned(config, runner_factory):
    """A campaign opened under revision 1 keeps revision 1's behaviour after the
    program moved to revision 2: the hook is told which one the campaign pinned."""
    from nameko.standalone.rpc import ClusterRpcProxy

    from core.plugin_kit import reason
    from plugins.pilot_branches.hooks import PilotBranchHooks
    from plugins.pilot_branches.program import PROGRAM
    from services.applications.service import ApplicationsService

    class Versioned(PilotBranchHooks):
        def check_eligibility(self, context):
            program = context["program"]
            if program["revision"] < 2:
                return []                        # the old rule: anyone may apply
            return [reason("closed", f"revision {program['revision']} ({program['version']})", "新规则")]

    newer = dataclasses.replace(PROGRAM, revision=2, hooks=Versioned())
    runner = runner_factory(config, ApplicationsService, make_program_service(newer))
    runner.start()
    with ClusterRpcProxy(config, timeout=20) as cluster:
        for _ in range(100):
            if cluster.applications.list_programs():
                break
            eventlet.sleep(0.1)
        old = dict(PROGRAM.declaration())          # what campaigns opened last year pinned
        cluster.applications.register_program(old)
        hooks = getattr(cluster, "program_pilot_branches")
        assert hooks.check_eligibility({"campaign": {"program_version": old["version"]}}) == []
        current = newer.declaration()["version"]
        (refused,) = hooks.check_eligibility({"campaign": {"program_version": current}})
        assert refused["message"] == f"revision 2 ({current})"
