"""How every service and program process runs: `nameko run`, except that a refusal
no restart can cure ends the process for good instead of being restarted.

    .venv/bin/python -m deploy.nameko_process run --config deploy/config.yml MODULE:Class

Final refusals: a shared service refused a program's declaration
(core/program_service.py, RegistrationRefused), or the settings are insecure outside
demo mode (core/security.py, InsecureSettings). Each would be refused again on every
restart, so restarting only fills the log. The process then exits with REFUSED_EXIT
(78, EX_CONFIG), which the supervision rules (deploy/supervision.py) name as final:
supervisord's ``exitcodes`` and systemd's ``RestartPreventExitStatus``. supervisord
judges an exit by its code only once the start counted as successful (after
START_SECONDS); an earlier exit is a failed start, retried START_RETRIES times
whatever its code. So a refused process waits, doing nothing, until START_SECONDS
have passed, then exits. Any other failure exits as `nameko run` does, and is
restarted.
"""
import sys
import time

from deploy.supervision import REFUSED_EXIT, START_SECONDS


def _final_refusals():
    from core.program_service import RegistrationRefused
    from core.security import InsecureSettings
    return RegistrationRefused, InsecureSettings


def main(run=None, clock=time.monotonic, sleep=time.sleep):
    """Run `nameko run` (its own command line applies eventlet's monkey patch first,
    so nothing of nameko or core is imported here before it runs)."""
    if run is None:
        from nameko.cli.main import main as run
    started = clock()
    try:
        run()
    except Exception as exc:
        if not isinstance(exc, _final_refusals()):
            raise
        print(f"not started, and not to be restarted: {exc.message_en} / {exc.message_zh}",
              file=sys.stderr, flush=True)
        sleep(max(0.0, START_SECONDS + 1 - (clock() - started)))
        raise SystemExit(REFUSED_EXIT) from None


if __name__ == "__main__":
    main()
