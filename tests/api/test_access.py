"""Who may call: a department token that is known, switched on and not expired; read-only;
limited per token; every call, refused ones included, leaves an audit row that no one can
change or delete."""
import datetime as dt

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from api.models import DepartmentToken
from api.services import hash_key
from enrollment.models import AuditEntry

from .conftest import YEAR, expired

URL = "/api/v1/status/"
pytestmark = pytest.mark.django_db


def _status(call, world, key, **extra):
    return call(URL, key, id_number=world["enrolled"].id_number, year=YEAR, **extra)


def test_without_a_token_401_with_a_chinese_message(call, world):
    response = _status(call, world, None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "未提供令牌" in response.json()["detail"]


def test_an_unknown_key_is_401(issue, call, world):
    issue()
    response = _status(call, world, "cbk_not-a-key-anyone-was-given")
    assert response.status_code == 401 and "令牌无效" in response.json()["detail"]


def test_an_expired_token_is_401(issue, call, world):
    _, key = issue(expires_at=expired())
    response = _status(call, world, key)
    assert response.status_code == 401 and "过期" in response.json()["detail"]


def test_a_switched_off_token_is_401(issue, call, world):
    token, key = issue()
    assert _status(call, world, key).status_code == 200
    DepartmentToken.objects.filter(pk=token.pk).update(active=False)
    response = _status(call, world, key)
    assert response.status_code == 401 and "已停用" in response.json()["detail"]


def test_a_header_with_spaces_in_the_key_is_401(client, world):
    response = client.get(URL, {"id_number": world["enrolled"].id_number},
                          HTTP_AUTHORIZATION="Token two parts")
    assert response.status_code == 401 and "令牌格式不正确" in response.json()["detail"]


def test_the_key_is_stored_only_as_its_hash(issue):
    token, key = issue()
    token.refresh_from_db()
    assert token.key_hash == hash_key(key) and key not in token.key_hash
    assert key.startswith(token.key_prefix) and len(token.key_prefix) < 10
    assert not DepartmentToken.objects.filter(key_hash=key).exists()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(issue, call, world, method):
    _, key = issue()
    response = call(URL, key, method=method)
    assert response.status_code == 405
    assert "只读" in response.json()["detail"]


def test_the_rate_is_per_token_and_a_call_over_it_is_429(issue, call, world,
                                                                      settings):
    settings.API_RATE = "3/min"
    _, key = issue()
    _, other_key = issue(department="县民政局")
    assert [_status(call, world, key).status_code for _ in range(3)] == [200] * 3
    refused = _status(call, world, key)
    assert refused.status_code == 429
    assert "请求过于频繁" in refused.json()["detail"]
    assert "每分钟最多 3 次" in refused.json()["detail"]
    assert int(refused["Retry-After"]) > 0
    assert _status(call, world, other_key).status_code == 200  # another department's count


def test_answers_are_not_kept_by_caches(issue, call, world):
    _, key = issue()
    assert _status(call, world, key)["Cache-Control"] == "private, no-store"


def test_a_refused_call_is_audited_with_the_department_whose_key_expired(issue, call, world):
    token, key = issue(expires_at=expired())
    _status(call, world, key)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.API)
    assert token.department in entry.username and not entry.success
    assert "HTTP 401" in entry.detail and "返回 0 行" in entry.detail


def test_a_call_without_a_token_is_audited_too(call, world):
    _status(call, world, None)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.API)
    assert entry.username == "接口：无有效令牌" and not entry.success
    assert world["enrolled"].id_number not in entry.detail


def test_every_call_is_one_audit_row(issue, call, world):
    _, key = issue()
    for _ in range(3):
        _status(call, world, key)
    call("/api/v1/coverage/", key, year=YEAR)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.API).count() == 4


def test_api_audit_rows_cannot_be_changed_or_deleted(issue, call, world):
    _, key = issue()
    _status(call, world, key)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.API)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(detail="返回 0 行")


def test_a_token_usable_until_its_expiry(issue):
    token, _ = issue(expires_at=timezone.now() + dt.timedelta(minutes=5))
    assert token.usable()
    assert not token.usable(now=timezone.now() + dt.timedelta(minutes=6))


def test_when_the_counts_cannot_be_read_the_call_is_refused_503(issue, call, world,
                                                                monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    from api.throttling import DepartmentTokenThrottle

    _, key = issue()

    def down(*args, **kwargs):
        raise RedisConnectionError("Redis is down")

    monkeypatch.setattr(DepartmentTokenThrottle.cache, "get", down)
    response = _status(call, world, key)
    assert response.status_code == 503
    assert "调用计数服务暂时不可用" in response.json()["detail"]
    assert "HTTP 503" in AuditEntry.objects.get(action=AuditEntry.Action.API).detail
