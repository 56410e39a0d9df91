"""House rules: the domain is plain Python and commands never mutate their inputs."""
import ast
import copy
import pathlib

from services.funding import domain
from services.funding.domain import claims, closing, grants

from .support import ADVISOR, COLLEGE, LEAD, NOW, SCHOOL, claim_request, funded, project

FORBIDDEN = {"nameko", "pymongo", "bson", "flask", "kombu", "eventlet", "marshmallow"}


def test_domain_imports_no_transport_or_database():
    root = pathlib.Path(domain.__file__).parent
    for path in sorted(root.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


def test_commands_do_not_mutate_their_inputs():
    store, rules, camp, grant = funded()
    calls = [
        lambda c, r, g: grants.award_grant(c, r, project("p2"), {"tier": "general",
                                                                 "amount_fen": 1}, SCHOOL, NOW),
        lambda c, r, g: claims.file_claim(g, r, c, "c1", claim_request("10"), LEAD, NOW),
        lambda c, r, g: closing.submit_material(g, r, c, "closing_report", "att-1", LEAD, NOW),
    ]
    for call in calls:
        args = (camp, rules, grant)
        before = copy.deepcopy(args)
        store.apply(call(*args))
        assert args == before
    claim = store.get("claim", "c1")
    grant = store.get("grant", "grant-p1")
    for fn, who, kw in ((claims.approve_claim, ADVISOR, {}),
                        (claims.return_claim, ADVISOR, {"reason": "x"}),
                        (claims.withdraw_claim, LEAD, {})):
        before = copy.deepcopy((claim, grant))
        fn(claim, grant, who, NOW, **kw)
        assert (claim, grant) == before
    before = copy.deepcopy(grant)
    closing.missing_materials(rules, grant)
    assert grant == before and COLLEGE
