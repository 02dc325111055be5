"""Gunicorn for Canbao behind nginx (docs/deploy.md).

gthread workers: a request that waits on PostgreSQL holds a thread, not the whole process, and
nginx buffers slow clients (headers and bodies) so that they never reach a worker at all.
Every value can be overridden from the environment (the systemd unit reads /etc/canbao/env).
"""
import multiprocessing
import os


def _int(name, default):
    return int(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
wsgi_app = "config.wsgi:application"

worker_class = "gthread"
# cores + 1 processes of 4 threads, at most 12 processes. The usual 2 x cores + 1 is for sync
# workers, where a process is idle while it waits; here the threads cover the waits on
# PostgreSQL, and more processes only add connections (each thread holds one), memory and
# requests competing for the same cores with the database (bench/load.py on 2 cores: 3 x 4
# answered at least as many requests as 5 x 4, with a lower p95).
workers = _int("GUNICORN_WORKERS", min(multiprocessing.cpu_count() + 1, 12))
threads = _int("GUNICORN_THREADS", 4)

# A request still running after this long is killed (the worker restarts). Imports of more than
# a few thousand rows and the recalculation run as Celery jobs, so pages stay well under it.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Short keep-alive: nginx reuses its upstream connections; nothing else talks to gunicorn.
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then so that a slow leak never takes the site down.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Limits on what a client may send before Django sees it (nginx enforces the same first).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Only nginx on this host may set X-Forwarded-For / X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# No query strings in the access log: searches carry names and ID numbers.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
capture_output = True
