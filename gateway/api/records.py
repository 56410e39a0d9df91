"""REST endpoints of the records service (历史记录与事实): facts about people, classes,
dorms and branches, imported from spreadsheets or added one by one, and the awards
(荣誉称号) granted on the platform or imported from before it.

Adding and importing needs a school admin. Lists show what the caller may see (their
school, their college, their own records and those of the unit they represent).
Imports are all or nothing (a facts import is a background job: 202, then its
result or its failure at /api/jobs/<id>): a 422 or the failed job lists every bad row with its row number, column and
reason in Chinese and English, and nothing is stored; importing the same file again
does not duplicate anything.
"""
from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from gateway import files
from gateway.api import accepted, multipart, rpc
from gateway.api.jobs import JobOut
from gateway.auth import login_required
from services.records.schemas import AwardQuery, FactInput, FactQuery

blp = Blueprint("records", __name__, url_prefix="/api/records",
                description="History and facts (历史记录与事实): facts, awards, imports")


def _upload_doc(columns):
    return {"requestBody": {"content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary",
                                "description": f".csv (UTF-8 or GBK) or .xlsx with columns {columns}"}}}}}}}


# --------------------------------------------------------------- schemas ---

class RecordFactOut(Schema):
    id = fields.String()
    subject_kind = fields.String(metadata={"description": "person, class, dorm or branch"})
    subject_id = fields.String()
    subject_name = fields.String(allow_none=True)
    college_id = fields.String(allow_none=True)
    school_id = fields.String(allow_none=True)
    kind = fields.String(metadata={"description": "A code of GET /api/records/kinds"})
    value = fields.Dict(metadata={"description": "The kind's fields"})
    date = fields.String(metadata={"description": "YYYY-MM-DD"})
    academic_year = fields.String(metadata={"description": "e.g. 2023-2024"})
    source = fields.String()
    source_ref = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    imported_by = fields.String()
    imported_at = fields.String(metadata={"description": "UTC"})


class RecordFactAddedOut(Schema):
    status = fields.String(metadata={"description": "created, updated (the same source_ref with new content) or "
                                                    "unchanged (already recorded)"})
    fact = fields.Nested(RecordFactOut)


class RecordAwardOut(Schema):
    id = fields.String(metadata={"description": "award:<application_id>:<code> when granted on the platform"})
    subject_kind = fields.String()
    subject_id = fields.String()
    subject_name = fields.String(allow_none=True)
    college_id = fields.String(allow_none=True)
    school_id = fields.String(allow_none=True)
    program = fields.String()
    code = fields.String(allow_none=True)
    title = fields.String()
    category = fields.String(allow_none=True)
    level = fields.String(metadata={"description": "college, school, province, national or ministry"})
    academic_year = fields.String()
    date = fields.String(metadata={"description": "YYYY-MM-DD (Asia/Shanghai)"})
    campaign_id = fields.String(allow_none=True)
    application_id = fields.String(allow_none=True)
    member_ids = fields.List(fields.String(), metadata={"description": "The people of the class / dorm / branch"})
    source = fields.String(metadata={"description": "platform, or where an imported award comes from"})
    source_ref = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    recorded_by = fields.String(allow_none=True)
    recorded_at = fields.String(metadata={"description": "UTC"})


class RecordImportResultOut(Schema):
    imported = fields.Integer(metadata={"description": "Distinct records in the file"})
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer(metadata={"description": "Already recorded (e.g. the file was imported before)"})


class RecordValueFieldOut(Schema):
    name = fields.String()
    type = fields.String()
    required = fields.Boolean()
    label_zh = fields.String()
    columns = fields.List(fields.String(), metadata={"description": "Import columns it is read from"})
    choices = fields.Dict(keys=fields.String(), values=fields.String())
    max_length = fields.Integer()


class RecordKindOut(Schema):
    code = fields.String()
    label_zh = fields.String()
    label_en = fields.String()
    subjects = fields.List(fields.String())
    description = fields.String()
    value = fields.List(fields.Nested(RecordValueFieldOut))


class RecordLabelOut(Schema):
    code = fields.String()
    label_zh = fields.String()
    label_en = fields.String()


class RecordKindsOut(Schema):
    subject_kinds = fields.List(fields.Nested(RecordLabelOut))
    levels = fields.List(fields.Nested(RecordLabelOut))
    kinds = fields.List(fields.Nested(RecordKindOut))


# ---------------------------------------------------------------- routes ---

@blp.route("/kinds")
@blp.response(200, RecordKindsOut)
@login_required
def kinds():
    """The fact kinds: labels, the subjects each applies to, the fields of its value and
    the import columns they are read from."""
    with rpc() as cluster:
        return cluster.records.kinds()


@blp.route("/facts")
@blp.arguments(FactQuery, location="query")
@blp.response(200, RecordFactOut(many=True))
@login_required
def list_facts(query):
    """Facts you may see, newest first (at most 2000)."""
    with rpc() as cluster:
        return cluster.records.list_facts(g.actor_id, query.get("subject_id"), query.get("kind"))


@blp.route("/facts", methods=["POST"])
@blp.arguments(FactInput)
@blp.response(200, RecordFactAddedOut)
@blp.alt_response(422, description="A field is wrong (value.<name> for the kind's fields), or the subject is not "
                                   "in the directory")
@login_required
def add_fact(payload):
    """Add one fact (school admin). Adding the same fact again changes nothing."""
    with rpc() as cluster:
        return cluster.records.add_fact(g.actor_id, payload)


@blp.route("/facts/import", methods=["POST"])
@blp.response(202, JobOut, description="The import job; follow it at /api/jobs/{id}. Its result is the counts "
                                       "(RecordImportResultOut); a file with bad rows fails it with every bad row "
                                       "(row number, column, reason) in its error details, and nothing is stored")
@blp.doc(**_upload_doc("对象类型, 对象编号, 对象名称, 类别, 日期, 学年, <the kind's columns, see /api/records/kinds>, "
                       "来源, 来源编号, 备注"))
@login_required
def import_facts():
    """Import facts from a spreadsheet (school admin), as a background job. All or
    nothing; the same file while its job runs is the same job."""
    filename, data, _fields = multipart("file", raw=True)
    with rpc() as cluster:
        return accepted(cluster.records.import_facts(g.actor_id, filename, files.put(data)))


@blp.route("/awards")
@blp.arguments(AwardQuery, location="query")
@blp.response(200, RecordAwardOut(many=True))
@login_required
def list_awards(query):
    """Awards you may see, newest first (at most 2000); a person's include the titles of
    the class, dorm or branch they were a member of."""
    with rpc() as cluster:
        return cluster.records.list_awards(g.actor_id, query.get("subject_id"), query.get("program"),
                                           query.get("campaign_id"))


@blp.route("/awards/import", methods=["POST"])
@blp.response(200, RecordImportResultOut)
@blp.alt_response(422, description="Every bad row with its row number, column and reason; nothing imported")
@blp.doc(**_upload_doc("对象类型, 对象编号, 对象名称, 项目, 称号, 代码, 类别, 级别, 学年, 日期, 成员, 来源, 来源编号, 备注"))
@login_required
def import_awards():
    """Import awards from before the platform (school admin). All or nothing."""
    filename, data, _fields = multipart("file", raw=True)
    with rpc() as cluster:   # the bytes go to the file store, the RPC carries their id
        return cluster.records.import_awards(g.actor_id, filename, files.put(data))
