"""gunicorn's settings for the web service, read from the environment (Dockerfile and docker-compose.yml
start gunicorn with this file). Imports run in the worker service, so no page needs more than a few
seconds: the timeout only catches a request that is stuck. Sizing: README, "Production"."""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("KAM_WEB_BIND", "0.0.0.0:8000")
# Sync processes: two per CPU by default, each with its own threads for requests that wait on the
# database or Redis. WEB_CONCURRENCY is the older name of the same setting.
workers = _int("KAM_WEB_WORKERS", _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
threads = _int("KAM_WEB_THREADS", 2)
worker_class = "gthread" if threads > 1 else "sync"
# A request still running after this many seconds is stopped and logged: every page answers in well under
# a second, the largest upload (10 MB) arrives in a few seconds, and an import's preview and import run in
# the worker service.
timeout = _int("KAM_WEB_TIMEOUT", 30)
graceful_timeout = _int("KAM_WEB_GRACEFUL_TIMEOUT", 30)
keepalive = _int("KAM_WEB_KEEPALIVE", 5)
# A process is replaced after this many requests (with jitter, so not all at once): memory that a
# long-lived process accumulates is given back.
max_requests = _int("KAM_WEB_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10
accesslog = "-"
forwarded_allow_ips = os.environ.get("KAM_WEB_FORWARDED_ALLOW_IPS", "*")
