"""One YAML configuration for every process, with `${ENV_VAR:default}` overrides.

The same file is read by `nameko run --config` (services, program plugins) and by the
gateway and tools through `load_config`; both use Nameko's own YAML loader, so a value
means the same thing everywhere.
"""
import os

import yaml
from nameko.cli.main import setup_yaml_parser

DEFAULT_PATH = os.path.join(os.path.dirname(os.path.dirname(__file__)), "deploy", "config.yml")

setup_yaml_parser()


def load_config(path=None):
    """Read the YAML at `path` (or $CHUANGXIAN_CONFIG, or deploy/config.yml)."""
    path = path or os.environ.get("CHUANGXIAN_CONFIG") or DEFAULT_PATH
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}
