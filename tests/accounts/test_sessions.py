"""Idle logout: a session ends 30 minutes after its last request, however long it has lived."""
import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests import factories
from tests.accounts.conftest import login

pytestmark = pytest.mark.django_db


def test_a_session_idle_for_31_minutes_is_logged_out(anon, village_clerk):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert login(anon, "village_clerk", factories.PASSWORD).status_code == 302
        traveller.shift(dt.timedelta(minutes=31))
        response = anon.get("/persons/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_session_in_use_stays_open_past_30_minutes(anon, village_clerk):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(anon, "village_clerk", factories.PASSWORD)
        for _ in range(4):  # two hours of work, a request every 28 minutes
            traveller.shift(dt.timedelta(minutes=28))
            assert anon.get("/persons/").status_code == 200


# The expiry is written at most once a minute (accounts.middleware.SessionRefreshMiddleware).

def _expiry():
    from django.contrib.sessions.models import Session

    return Session.objects.get().expire_date


def test_pages_within_a_minute_of_the_last_write_leave_the_session_row_alone(anon,
                                                                             village_clerk):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(anon, "village_clerk", factories.PASSWORD)
        written = _expiry()
        traveller.shift(dt.timedelta(seconds=30))
        assert anon.get("/persons/").status_code == 200
        assert _expiry() == written
        traveller.shift(dt.timedelta(seconds=31))  # a minute after the last write
        assert anon.get("/persons/").status_code == 200
        assert _expiry() == written + dt.timedelta(seconds=61)


def test_an_idle_session_ends_no_later_than_30_minutes_after_the_last_request(anon,
                                                                              village_clerk):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        login(anon, "village_clerk", factories.PASSWORD)
        traveller.shift(dt.timedelta(seconds=50))
        assert anon.get("/persons/").status_code == 200  # not written: 50 s after the login
        traveller.shift(dt.timedelta(minutes=29, seconds=20))  # 30:10 after the last write
        response = anon.get("/persons/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_cookie_of_a_vanished_session_creates_no_session(anon, village_clerk):
    from django.contrib.sessions.models import Session

    anon.cookies["sessionid"] = "no-such-session-0123456789abcdef"
    assert anon.get("/accounts/login/").status_code == 200
    assert anon.get("/persons/").status_code == 302
    assert not Session.objects.exists()


def test_logging_out_leaves_no_session_behind(anon, village_clerk):
    from django.contrib.sessions.models import Session

    login(anon, "village_clerk", factories.PASSWORD)
    anon.post("/accounts/logout/")
    assert not Session.objects.exists()
    assert anon.get("/persons/").status_code == 302
