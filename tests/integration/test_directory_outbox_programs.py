"""Directory import, outbox recovery and program enablement against real services."""
import io

import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from openpyxl import Workbook

from core.errors import ProgramNotAvailable
from tests.integration.helpers import finish_job

ADMIN = "admin"
HEADER = ["学号", "姓名", "学院", "班级", "年级", "宿舍", "政治面貌", "党支部", "退伍军人"]


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import(http, name, data):
    return http.as_(ADMIN, "POST", "/api/directory/students",
                    data={"school_id": "school_demo", "file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")


def test_import_reports_every_bad_row_and_imports_nothing(http, mongo):
    csv_text = "\n".join([
        ",".join(HEADER),
        "2025990001,林一,机电与信息工程学院,计算机2501班,2025级,北苑1号楼101,共青团员,,否",
        "2025990002,林二,不存在学院,计算机2501班,2025,,群众,,否",
        "2025990003,,机电与信息工程学院,计算机2501班,2025,,团员,,否",
        "2025990001,林四,机电与信息工程学院,计算机2501班,25,,党员,,也许",
    ]).encode("utf-8-sig")
    job = finish_job(http, ADMIN, _import(http, "学生名单.csv", csv_text))
    assert job["state"] == "failed" and job["error"]["code"] == "validation_failed"
    problems = {(p["row"], p["column"]) for p in job["error"]["details"]}
    assert problems == {(3, "学院"), (4, "姓名"), (5, "学号"), (5, "年级"), (5, "政治面貌"), (5, "退伍军人")}
    assert "未导入任何数据" in job["error"]["message_zh"]
    # Only the person who started a job sees it.
    assert http.as_("counselor_me", "GET", f"/api/jobs/{job['id']}").status_code == 404
    assert mongo("applications").people.count_documents({"student_no": {"$in": ["2025990001", "2025990002"]}}) == 0


def test_import_xlsx_creates_students_and_units(http, mongo):
    data = _xlsx([
        ["2025990001", "林一", "机电与信息工程学院", "计算机2501班", "2025级", "北苑1号楼101", "共青团员", None, "否"],
        ["2025990002", "林二", "经济管理学院", "会计2501班", 2025, None, "中共预备党员", "经管学院学生第一党支部", "是"],
        [None, None, None, None, None, None, None, None, None],
    ])
    job = finish_job(http, ADMIN, _import(http, "roster.xlsx", data))
    assert job["state"] == "succeeded", job
    assert job["result"]["imported"] == 2 and job["done"] == job["total"] == 2 and job["percent"] == 100
    # The spreadsheet went to the file store; the job (and the RPC that started it) holds only its id.
    stored = mongo("applications").jobs.find_one({"_id": job["id"]})
    assert stored["params"]["file"]["file_id"].startswith("sha256-") and "data_b64" not in stored["params"]
    people = mongo("applications").people
    lin = people.find_one({"student_no": "2025990002"})
    assert lin["political_status"] == "probationary_member" and lin["veteran"] in (True, 1)
    assert lin["college_id"] == "college_em" and lin["grade"] == 2025
    klass = mongo("applications").units.find_one({"_id": lin["class_id"]})
    assert klass["name"] == "会计2501班" and klass["path"] == ["school_demo", "college_em", klass["_id"]]
    # Importing again updates, never duplicates.
    assert finish_job(http, ADMIN, _import(http, "roster.xlsx", data))["state"] == "succeeded"
    assert people.count_documents({"student_no": "2025990002"}) == 1


def test_only_a_school_admin_imports(http):
    response = http.as_("counselor_me", "POST", "/api/directory/students",
                        data={"school_id": "school_demo", "file": (io.BytesIO(b"x"), "a.csv")},
                        content_type="multipart/form-data")
    assert response.status_code == 403


def test_an_interrupted_change_is_finished_by_the_sweep(rpc, mongo, events):
    """A crash after the atomic change but before publishing: the outbox stays in the
    document; the periodic sweep records the audit entry and publishes the event."""
    from tests.integration.helpers import PDF, b64, campaign_payload, good_form
    campaign = rpc.applications.open_campaign("p_admin", campaign_payload())
    app = rpc.applications.create_application("p_2023010101", campaign["id"], {"form": good_form()})
    rpc.applications.add_attachment("p_2023010101", app["id"], "application_form", "a.pdf", b64(PDF))
    apps = mongo("applications").applications
    doc = apps.find_one({"_id": app["id"]})
    from datetime import datetime, timedelta, timezone
    from core.envelope import make_event
    seq = doc["version"] + 1
    at = datetime.now(timezone.utc) - timedelta(seconds=30)
    entry = {"_id": f"{app['id']}:{seq:06d}", "application_id": app["id"], "seq": seq, "action": "submit",
             "from": "draft", "to": "submitted", "by": {"id": "p_2023010101", "name": "李明"}, "at": at,
             "reason": None, "idempotency_key": None}
    event = make_event("application.submitted", {"application_id": app["id"], "state": "submitted"},
                       "applications", event_id=f"{app['id']}.{seq}")
    apps.replace_one({"_id": app["id"]}, dict(doc, state="submitted", version=seq, submitted_at=at,
                                               outbox={"audit": entry, "event": event}, outbox_ts=at.timestamp()))
    for _ in range(100):
        if events:
            break
        eventlet.sleep(0.1)
    assert [e["id"] for e in events] == [event["id"]]
    trail = rpc.applications.audit_trail("p_2023010101", app["id"])
    assert [e["action"] for e in trail][-1] == "submit"
    assert apps.find_one({"_id": app["id"]}).get("outbox") is None


def test_programs_must_be_installed_and_enabled(config, runner_factory):
    from gateway.app import create_app
    with pytest.raises(ProgramNotAvailable) as unknown:
        create_app(dict(config, PROGRAMS=["pilot_branches", "dorms_typo"]))
    assert "dorms_typo" in unknown.value.message_en
    assert "pilot_branches" in unknown.value.message_en.split("Installed: ")[1]

    from plugins.pilot_branches.service import PilotBranchesService
    runner = runner_factory(dict(config, PROGRAMS=[]), PilotBranchesService)
    with pytest.raises(ProgramNotAvailable) as disabled:
        runner.start()
    assert "not enabled" in disabled.value.message_en


def test_a_campaign_keeps_the_program_version_it_was_opened_with(rpc):
    from tests.integration.helpers import campaign_payload
    first = rpc.applications.open_campaign("p_admin", campaign_payload())
    changed = dict(rpc.applications.get_program("pilot_branches"), version="v-next")
    changed["settings"] = dict(changed["settings"], notice_days=7)
    rpc.applications.register_program(changed)
    second = rpc.applications.open_campaign("p_admin", campaign_payload())
    assert rpc.applications.get_campaign("p_admin", first["id"])["program_version"] == first["program_version"]
    assert second["program_version"] == "v-next" != first["program_version"]
    assert rpc.applications.get_program("pilot_branches", first["program_version"])["version"] == first["program_version"]
