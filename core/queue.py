"""Handing work to Celery when the broker may be down.

A page that starts a job must not hang or answer 500 because Redis is unreachable: the
publish fails fast (short timeouts in settings), the caller marks its job row failed with
`QUEUE_DOWN` and the page offers to try again.
"""
from __future__ import annotations

import logging

from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

QUEUE_DOWN = "任务队列暂时不可用，请稍后重试"
BROKER_ERRORS = (OperationalError, RedisConnectionError, RedisTimeoutError, ConnectionError,
                 TimeoutError)


def publish(task, *, args=(), kwargs=None, **options) -> bool:
    """Send `task`; False (and a warning in the log) when the broker cannot be reached."""
    try:
        task.apply_async(args=args, kwargs=kwargs, **options)
    except BROKER_ERRORS:
        log.warning("broker unavailable, %s not enqueued", task.name, exc_info=True)
        return False
    return True


def best_effort(action, what: str, default=None):
    """Run a cache or queue side effect that must never break the write that asked for it."""
    try:
        return action()
    except BROKER_ERRORS:
        log.warning("%s skipped: cache or broker unavailable", what, exc_info=True)
        return default
