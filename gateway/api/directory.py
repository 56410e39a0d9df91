from flask import g
from flask_smorest import Blueprint

from gateway import files
from gateway.api import accepted, multipart, rpc
from gateway.api.jobs import JobOut
from gateway.auth import login_required
from gateway.schemas import UnitOut, UnitQuery

blp = Blueprint("directory", __name__, url_prefix="/api", description="Units and people (组织与人员)")


@blp.route("/units")
@blp.arguments(UnitQuery, location="query")
@blp.response(200, UnitOut(many=True))
@login_required
def units(query):
    with rpc() as cluster:
        return cluster.applications.list_units(g.actor_id, query.get("kind"), query.get("parent_id"))


@blp.route("/directory/students", methods=["POST"])
@blp.response(202, JobOut, description="The import job; follow it at /api/jobs/{id}. Its result is "
                                       "{imported, units_touched}; a bad file fails it with every bad row "
                                       "(row, column, message, message_zh) in error.details, nothing imported")
@blp.doc(requestBody={"content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file", "school_id"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": ".csv or .xlsx with columns 学号, 姓名, 学院, 班级, 年级, 宿舍, 政治面貌, 党支部, 退伍军人"},
                   "school_id": {"type": "string"}}}}}})
@login_required
def import_students():
    """Import students as the registrar exports them (school admin), as a background job.
    A bad file imports nothing."""
    filename, data, fields = multipart("file", "school_id", raw=True)
    with rpc() as cluster:   # the bytes go to the file store, the RPC and the job carry their id
        return accepted(cluster.applications.import_students(g.actor_id, fields["school_id"], filename,
                                                             files.put(data)))
