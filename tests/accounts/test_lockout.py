"""Login failures lock the account and the address for 30 minutes (axes); the page says so and
until when; a security administrator lifts the lock in the admin."""
import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.utils import timezone

from enrollment.models import AuditEntry, Role
from tests import factories
from tests.accounts.conftest import login

pytestmark = pytest.mark.django_db


def _fail(client, username, times, url="/accounts/login/", **extra):
    for _ in range(times):
        response = login(client, username, "wrong-password", url=url, **extra)
        assert "_auth_user_id" not in client.session
    return response


def test_five_wrong_passwords_then_the_right_one_is_refused(anon, village_clerk):
    _fail(anon, "village_clerk", 5)
    response = login(anon, "village_clerk", factories.PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in anon.session
    page = response.content.decode()
    assert "已被锁定" in page
    until = timezone.localtime(timezone.now() + dt.timedelta(minutes=30))
    assert until.strftime("%Y-%m-%d") in page and until.strftime("%H:") in page


def test_four_wrong_passwords_still_let_the_right_one_in(anon, village_clerk):
    _fail(anon, "village_clerk", 4)
    response = login(anon, "village_clerk", factories.PASSWORD)
    assert response.status_code == 302 and anon.session["_auth_user_id"] == str(village_clerk.pk)


def test_the_lock_ends_after_thirty_minutes(anon, village_clerk):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _fail(anon, "village_clerk", 5)
        traveller.shift(dt.timedelta(minutes=29))
        assert login(anon, "village_clerk", factories.PASSWORD).status_code == 429
        traveller.shift(dt.timedelta(minutes=2))
        assert login(anon, "village_clerk", factories.PASSWORD).status_code == 302


def test_an_address_is_locked_after_five_failures_on_any_names(anon, village_clerk):
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        login(anon, name, "wrong-password", REMOTE_ADDR="10.9.9.9")
    response = login(anon, "village_clerk", factories.PASSWORD, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    # The same user from another address is not locked: the name itself never failed.
    assert login(anon, "village_clerk", factories.PASSWORD,
                 REMOTE_ADDR="10.9.9.10").status_code == 302


def test_the_admin_login_locks_too(anon, region_tree):
    root = factories.make_user("root", "", None, is_superuser=True)
    _fail(anon, "root", 5, url="/admin/login/")
    response = login(anon, "root", factories.PASSWORD, url="/admin/login/")
    assert response.status_code == 429 and "已被锁定" in response.content.decode()
    assert "_auth_user_id" not in anon.session
    del root


def test_security_admin_unlocks_in_the_admin(anon, client, village_clerk):
    _fail(anon, "village_clerk", 5, REMOTE_ADDR="10.1.1.1")
    assert AccessAttempt.objects.filter(username="village_clerk").exists()
    security = factories.make_user("sec", Role.SECURITY_ADMIN, None)
    client.force_login(security)
    from tests.conftest import _verify_second_factor

    _verify_second_factor(client, security)
    page = client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200 and "village_clerk" in page.content.decode()
    ids = [str(pk) for pk in AccessAttempt.objects.values_list("pk", flat=True)]
    response = client.post("/admin/axes/accessattempt/",
                           {"action": "unlock", "_selected_action": ids})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert AuditEntry.objects.filter(user=security, detail__contains="解除锁定").exists()
    assert login(anon, "village_clerk", factories.PASSWORD,
                 REMOTE_ADDR="10.1.1.1").status_code == 302


def test_a_clerk_cannot_see_or_lift_locks(as_user, village_clerk):
    assert as_user(village_clerk).get("/admin/axes/accessattempt/").status_code == 403


def test_failures_and_the_lockout_are_audited(anon, village_clerk):
    _fail(anon, "village_clerk", 5, REMOTE_ADDR="10.2.2.2")
    failed = AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED)
    assert failed.count() >= 5
    assert set(failed.values_list("username", "ip", "success")) == {
        ("village_clerk", "10.2.2.2", False)}
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOCKOUT, username="village_clerk",
                                     success=False).exists()
