from flask_smorest import Blueprint

from gateway.api import rpc
from gateway.auth import login_required
from gateway.schemas import ProgramOut, ProgramSummaryOut

blp = Blueprint("programs", __name__, url_prefix="/api/programs",
                description="Programs enabled here and their forms (项目类型)")


@blp.route("")
@blp.response(200, ProgramSummaryOut(many=True))
@login_required
def list_programs():
    """Enabled and registered programs."""
    with rpc() as cluster:
        return [{"name": p["id"], **p} for p in cluster.applications.list_programs()]


@blp.route("/<name>")
@blp.response(200, ProgramOut)
@login_required
def get_program(name):
    """A program's current declaration: form, attachments, stages, settings."""
    with rpc() as cluster:
        return cluster.applications.get_program(name)


@blp.route("/<name>/form-schema")
@login_required
def form_schema(name):
    """The JSON Schema of the program's application form, to render it."""
    with rpc() as cluster:
        return cluster.applications.get_program(name)["form_schema"]
