"""Rate limit per department token, counted in the cache (Redis in production, so every
worker counts together). The rate is the API_RATE setting, read on each call."""
from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class DepartmentTokenThrottle(SimpleRateThrottle):
    scope = "department"

    def get_rate(self):
        return settings.API_RATE

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
