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
