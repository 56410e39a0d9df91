"""REST endpoints of the notifications service (filled in by its issue).

READ docs/DEVELOPING.md FIRST: conventions, the embedded Mongo server's limits,
the internal RPCs of the applications service, test fixtures, and the rule that
parallel engineers touch only their own paths and never git commit."""
from flask_smorest import Blueprint

blp = Blueprint("notifications", __name__, url_prefix="/api/notifications", description="notifications")
