"""deploy/config.yml, read as `nameko run --config` reads it: MAX_WORKERS reaches the
key nameko's containers take their worker pool size from."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

READ = """
import yaml
from nameko.cli.main import setup_yaml_parser
from nameko.constants import MAX_WORKERS_CONFIG_KEY
from nameko.containers import ServiceContainer
setup_yaml_parser()
config = yaml.safe_load(open('deploy/config.yml'))

class Service:
    name = 'probe'

print(ServiceContainer(Service, config).max_workers)
"""


def _max_workers(**env):
    out = subprocess.run([sys.executable, "-c", READ], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={**{k: v for k, v in os.environ.items() if k != "MAX_WORKERS"}, **env})
    assert out.returncode == 0, out.stderr[-2000:]
    return int(out.stdout.split()[-1])


def test_max_workers_from_the_environment_sizes_the_worker_pool():
    assert _max_workers() == 10
    assert _max_workers(MAX_WORKERS="24") == 24
