"""House rule: the domain core imports no transport or database library."""
import ast
import pathlib

import services.scoring.domain as domain

FORBIDDEN = {"nameko", "pymongo", "flask", "kombu", "eventlet", "bson", "marshmallow"}


def test_domain_modules_import_no_transport_or_database():
    root = pathlib.Path(domain.__file__).parent
    offenders = []
    for path in sorted(root.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
    assert len(list(root.glob("*.py"))) >= 12
