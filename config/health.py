"""`/healthz`: what a load balancer or a monitoring job asks before sending traffic.

django-health-check runs the probes; this module picks them from the settings (the broker only
when REDIS_URL is set) and adds the worker heartbeat: a beat-scheduled task that a worker must
actually run, so a stopped worker or a stopped beat shows here, not days later as jobs that
never finish.
"""
import dataclasses
import datetime
import time

from django.conf import settings
from django.core.cache import cache
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from config.celery import HEARTBEAT_KEY, app


@dataclasses.dataclass
class WorkerHeartbeat(HealthCheck):
    """The last time a Celery worker ran the heartbeat task is recent enough.

    Passes outright when tasks run inline (no broker, no worker to watch)."""

    max_age: datetime.timedelta = dataclasses.field(
        default_factory=lambda: datetime.timedelta(seconds=settings.HEALTHZ_HEARTBEAT_MAX_AGE),
        repr=False,
    )

    def run(self):
        if app.conf.task_always_eager:
            return
        try:
            beat = cache.get(HEARTBEAT_KEY)
        except Exception as exc:  # the cache check reports the cause; this one says what it means
            raise ServiceUnavailable("无法读取 worker 心跳（缓存不可用）") from exc
        if beat is None:
            raise ServiceUnavailable("没有收到 Celery worker 的心跳：worker 或 beat 未运行")
        age = time.time() - float(beat)
        if age > self.max_age.total_seconds():
            raise ServiceUnavailable(f"Celery worker 心跳已 {age:.0f} 秒未更新")


def _broker_client():
    from redis.asyncio import Redis

    return Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=3, socket_timeout=3)


class HealthView(HealthCheckView):
    """Answers 200 when every probe passes and 503 (not the library's 500) when one fails, so
    that proxies and monitors read it as "unavailable", not as a bug in the page."""

    def get_checks(self):
        yield Database()
        yield Cache()
        if settings.REDIS_URL:
            from health_check.contrib.redis import Redis

            yield Redis(client_factory=_broker_client)
        yield WorkerHeartbeat()

    async def get(self, request, *args, **kwargs):
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503
        return response
