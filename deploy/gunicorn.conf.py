"""Gunicorn settings for the gateway: `gunicorn -c deploy/gunicorn.conf.py gateway.wsgi:app`.

Environment:
  GATEWAY_BIND      full bind address (overrides the two below), e.g. 0.0.0.0:8080
  GATEWAY_PORT      port on 127.0.0.1 (default 8000)
  GATEWAY_WORKERS   worker processes (default 2)
  GATEWAY_THREADS   threads per worker (default 8)
"""
import os

bind = os.environ.get("GATEWAY_BIND") or f"127.0.0.1:{os.environ.get('GATEWAY_PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("GATEWAY_WORKERS", "2"))
threads = int(os.environ.get("GATEWAY_THREADS", "8"))
timeout = 60
accesslog = "-"
errorlog = "-"
