"""Gunicorn settings for the gateway: `gunicorn -c deploy/gunicorn.conf.py gateway.wsgi:app`.

Environment:
  GATEWAY_BIND      full bind address (overrides the two below), e.g. 0.0.0.0:8080
  GATEWAY_HOST      address to listen on (default 127.0.0.1; 0.0.0.0 in a container)
  GATEWAY_PORT      port (default 8000)
  GATEWAY_WORKERS   worker processes (default 2)
  GATEWAY_THREADS   threads per worker (default 8)
  PROMETHEUS_MULTIPROC_DIR  where the workers' metrics meet (default: a fresh temporary
                    directory), so /metrics on any worker reports all of them
The access log is the application's JSON lines (gateway/observability.py), so
gunicorn's own access log is off; its error log goes to stderr.
"""
import os
import tempfile

bind = os.environ.get("GATEWAY_BIND") or \
    f"{os.environ.get('GATEWAY_HOST', '127.0.0.1')}:{os.environ.get('GATEWAY_PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("GATEWAY_WORKERS", "2"))
threads = int(os.environ.get("GATEWAY_THREADS", "8"))
timeout = 60
graceful_timeout = 30   # on TERM, requests in flight get this long to finish
accesslog = None
errorlog = "-"

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="cx-gateway-metrics-")


def child_exit(server, worker):
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(worker.pid)
