"""REST endpoints of the scoring service (filled in by its issue)."""
from flask_smorest import Blueprint

blp = Blueprint("scoring", __name__, url_prefix="/api/scoring", description="scoring")
