"""Rate limit per department token, counted in the cache (Redis in production, so every
worker counts together). The rate is the API_RATE setting, read on each call."""
from __future__ import annotations

from django.conf import settings
from redis.exceptions import RedisError
from rest_framework.exceptions import APIException
from rest_framework.throttling import SimpleRateThrottle


class CounterDown(APIException):
    status_code = 503
    default_detail = "调用计数服务暂时不可用，请稍后再试。"


class DepartmentTokenThrottle(SimpleRateThrottle):
    scope = "department"

    def get_rate(self):
        return settings.API_RATE

    def allow_request(self, request, view):
        # Without the counts the limit cannot hold: refuse (503) rather than serve unlimited.
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError):
            raise CounterDown() from None

    def get_cache_key(self, request, view):
        token = request.auth
        if token is None:
            return None  # refused before this, by the permission check
        return f"api-throttle:{token.pk}"


UNITS = {"s": "每秒", "m": "每分钟", "h": "每小时", "d": "每天"}


def rate_text(rate: str) -> str:
    """"60/min" as the 429 message says it: 每分钟最多 60 次."""
    number, _, period = rate.partition("/")
    return f"{UNITS.get(period[:1], '每' + period)}最多 {number} 次"
