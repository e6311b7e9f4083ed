"""gunicorn's settings for one web node (`gunicorn -c deploy/gunicorn.conf.py
scheduling.wsgi:application`), used by the systemd unit and by `make cluster`.

Threaded workers, so that a long slot search holds one thread rather than a whole process and
other requests go on being answered beside it. Each worker process keeps its own copy of the
peers' free time (see README, Operations).
"""

import os

bind = os.environ.get("WEB_BIND", "127.0.0.1:8001")
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "8"))
# Below nginx's proxy_read_timeout (65 s), so the node answers before the proxy gives up.
timeout = 60
# `systemctl reload` (HUP) starts new workers and lets the old ones finish what they hold.
graceful_timeout = 30
keepalive = 5
# X-Forwarded-Proto is read only from the proxies the service trusts.
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "127.0.0.1") or "127.0.0.1"
# The service writes one JSON line per request itself (scheduling/request_log.py).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "warning")
# prometheus-client's multiprocess mode: a dead worker's figures are marked so.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):

    def child_exit(server, worker):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
