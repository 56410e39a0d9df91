"""REST endpoints of the notifications service (filled in by its issue)."""
from flask_smorest import Blueprint

blp = Blueprint("notifications", __name__, url_prefix="/api/notifications", description="notifications")
