"""Every installed program's declaration passes the typed contract, the same check
the shared services run at registration (core/declaration)."""
import pytest

from core.declaration import declaration_errors
from core.programs import installed_programs


@pytest.mark.parametrize("name", sorted(installed_programs()))
def test_declaration_meets_the_contract(name):
    program = installed_programs()[name].load()
    assert declaration_errors(program.declaration()) == []
