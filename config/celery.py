"""The Celery application.

Without REDIS_URL the settings switch Celery to eager mode, so `make run` needs no broker and
tasks run inline; with it, a real worker (`make worker`) consumes them.
"""
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("canbao")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The worker heartbeat that /healthz reads (config/health.py): beat schedules it every minute and
# a worker must run it, so a missing worker or a missing beat both show as a stale timestamp.
HEARTBEAT_KEY = "canbao:worker-heartbeat"
HEARTBEAT_INTERVAL = 60.0


@app.task(name="canbao.worker_heartbeat", ignore_result=True)
def worker_heartbeat():
    import time

    from django.core.cache import cache

    cache.set(HEARTBEAT_KEY, time.time(), timeout=None)


@app.on_after_finalize.connect
def _schedule_heartbeat(sender, **kwargs):
    sender.add_periodic_task(
        HEARTBEAT_INTERVAL, worker_heartbeat.s(), name="worker heartbeat (/healthz)",
        expires=HEARTBEAT_INTERVAL,
    )


# Recalculation chunks whose worker died are re-enqueued once their lease has run out
# (benefits.recalc.services.chunks_sweep_stale); the interval is an environment variable so
# that the worker test can make it short.
SWEEP_STALE_CHUNKS_SECONDS = float(os.environ.get("RECALC_SWEEP_SECONDS") or 60)


@app.on_after_finalize.connect
def _schedule_stale_chunk_sweep(sender, **kwargs):
    sender.add_periodic_task(
        SWEEP_STALE_CHUNKS_SECONDS, sender.signature("benefits.sweep_stale_chunks"),
        name="recalc stale-chunk sweep", expires=SWEEP_STALE_CHUNKS_SECONDS)


@worker_ready.connect
def _heartbeat_on_start(sender=None, **kwargs):
    # A freshly started worker is healthy before beat's first tick.
    worker_heartbeat()
