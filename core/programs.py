"""Finding installed programs and checking which are enabled.

Installed means declared on the ``chuangxian.programs`` entry-point group; enabled
means named in the configuration's PROGRAMS list. Installed but not enabled is inert.
"""
from importlib.metadata import entry_points

from core.errors import ProgramNotAvailable

GROUP = "chuangxian.programs"


def installed_programs():
    """{name: entry_point} of every installed program."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def enabled_names(config):
    names = config.get("PROGRAMS") or []
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    return list(names)


def check_enabled(config):
    """Raise ProgramNotAvailable naming the installed programs when PROGRAMS lists
    a name that is not installed. Returns the enabled names."""
    installed = installed_programs()
    names = enabled_names(config)
    unknown = [n for n in names if n not in installed]
    if unknown:
        have = ", ".join(sorted(installed)) or "(none)"
        raise ProgramNotAvailable(
            f"PROGRAMS names programs that are not installed: {', '.join(unknown)}. Installed: {have}",
            f"配置 PROGRAMS 中的项目未安装：{'、'.join(unknown)}。已安装：{have}",
            field="PROGRAMS",
        )
    return names


def load_program(name, config):
    """The Program object of an enabled program; raises ProgramNotAvailable."""
    names = check_enabled(config)
    if name not in names:
        raise ProgramNotAvailable(
            f"Program {name!r} is not enabled. Enabled: {', '.join(names) or '(none)'}",
            f"项目 {name} 未启用。已启用：{'、'.join(names) or '（无）'}",
            field="PROGRAMS",
        )
    return installed_programs()[name].load()
