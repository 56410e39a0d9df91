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

    criteria = copy.deepcopy(PROGRAM.criteria)
    criteria["children"][0]["weight"] += 10     # the typed contract passes; the weights add up to 110
    broken = make_program_service(dataclasses.replace(PROGRAM, criteria=criteria))
    runner = runner_factory(config, ApplicationsService, ScoringService, broken)
    runner.start()
    with eventlet.Timeout(30), pytest.raises(RegistrationRefused) as stopped:
        runner.wait()
    assert "scoring refused program pilot_branches" in stopped.value.message_en
    assert "not 100" in stopped.value.message_en and "应为 100" in stopped.value.message_zh
    assert stopped.value.details[0]["field"].startswith("criteria")


def test_a_declaration_breaking_the_contract_does_not_start(config, runner_factory):
    from plugins.pilot_branches.program import PROGRAM
    from core.errors import ValidationFailed

    bad = make_program_service(dataclasses.replace(PROGRAM, stages=["application", "reveiw"]))
    runner = runner_factory(config, bad)
    with pytest.raises(ValidationFailed) as refused:
        runner.start()
    assert refused.value.details[0]["field"] == "stages[1]" and "reveiw" in refused.value.message_en


@pytest.fixture
def config(config):
    return dict(config, PROGRAMS=["pilot_branches", "civilized_dorms"])


def test_healthz_names_an_enabled_program_that_is_not_registered(http):
    health = http.client.get("/healthz")
    assert health.status_code == 503, health.json
    assert health.json["services"]["program_civilized_dorms"] is False   # its process never registered
    assert health.json["services"]["program_pilot_branches"] is True
