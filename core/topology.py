"""Which processes make up this installation: every service under services/ that has
a service.py, and one process per enabled program. `deploy/processes.py` starts
them; the gateway's /healthz pings them."""
import os

from core.programs import enabled_names

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def service_names():
    base = os.path.join(ROOT, "services")
    return sorted(n for n in os.listdir(base) if os.path.isfile(os.path.join(base, n, "service.py")))


def rpc_names(config):
    """Nameko service names that answer `ping`: the services, then program_<name>."""
    return service_names() + [f"program_{n}" for n in enabled_names(config)]
