"""The request's user is loaded with its region and last password change in one query
(accounts/backends.py): what the account gate and the navigation bar read costs no more."""
import re

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _queries(client, path):
    sqls = []
    with connection.execute_wrapper(
            lambda execute, sql, params, many, ctx: (sqls.append(sql),
                                                     execute(sql, params, many, ctx))[1]):
        response = client.get(path)
    return response, sqls


def test_the_user_region_and_password_age_come_in_one_query(as_user, village_clerk):
    client = as_user(village_clerk)
    client.get("/persons/")
    response, sqls = _queries(client, "/persons/")
    assert response.status_code == 200
    user_queries = [q for q in sqls if re.search(r'FROM "enrollment_user"', q)]
    assert len(user_queries) == 1
    assert "accounts_passwordhistory" in user_queries[0]
    assert [q for q in sqls if "accounts_passwordhistory" in q] == user_queries
    # The navigation bar names the clerk's village without asking for it.
    assert village_clerk.region.name in response.content.decode()
    assert not [q for q in sqls if re.search(r'FROM "enrollment_region" WHERE '
                                             r'"enrollment_region"."code" = ', q)]


def test_the_loaded_user_carries_the_latest_change(village_clerk):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from accounts.backends import StaffBackend
    from accounts.models import PasswordHistory

    PasswordHistory.objects.filter(user=village_clerk).delete()
    assert StaffBackend().get_user(village_clerk.pk).password_changed_at is None
    with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
        later = PasswordHistory.objects.create(user=village_clerk, password="y")
    PasswordHistory.objects.create(user=village_clerk, password="x")
    assert StaffBackend().get_user(village_clerk.pk).password_changed_at == later.changed_at


def test_an_inactive_user_is_not_loaded(village_clerk):
    from accounts.backends import StaffBackend

    village_clerk.is_active = False
    village_clerk.save(update_fields=["is_active"])
    assert StaffBackend().get_user(village_clerk.pk) is None
