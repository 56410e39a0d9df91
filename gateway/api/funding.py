"""REST endpoints of the funding service (filled in by its issue)."""
from flask_smorest import Blueprint

blp = Blueprint("funding", __name__, url_prefix="/api/funding", description="funding")
