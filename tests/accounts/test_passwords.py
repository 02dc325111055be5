"""Passwords: 12 characters and three classes, none of the last five, changed every 90 days;
demo accounts refused with DEBUG off."""
import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from accounts.models import PasswordHistory
from enrollment.models import AuditEntry, Role
from tests import factories
from tests.accounts.conftest import login

pytestmark = pytest.mark.django_db
GOOD = "Dongshan-village-2026"


@pytest.mark.parametrize("password,message", [
    ("Zhang2024", "至少需要12个字符"),
    ("zhangsanfeng2024", "3类"),        # two classes, long enough
    ("ZHANGSAN-FENG", "3类"),           # two classes
])
def test_weak_passwords_are_refused_in_chinese(village_clerk, password, message):
    with pytest.raises(ValidationError) as exc:
        validate_password(password, village_clerk)
    assert message in " ".join(exc.value.messages)


def test_a_long_password_with_three_classes_is_accepted(village_clerk):
    validate_password(GOOD, village_clerk)


def test_the_current_and_the_last_five_passwords_cannot_be_reused(village_clerk):
    with pytest.raises(ValidationError, match="最近5次"):
        validate_password(factories.PASSWORD, village_clerk)
    old = [f"Old-password-{i}x" for i in range(6)]
    for p in old:
        village_clerk.set_password(p)
        village_clerk.save()
    assert PasswordHistory.objects.filter(user=village_clerk).count() == 5
    for p in old[1:]:
        with pytest.raises(ValidationError, match="最近5次"):
            validate_password(p, village_clerk)
    validate_password(old[0], village_clerk)  # the sixth-last may come back


def test_the_change_page_refuses_the_old_password_and_records_the_change(as_user,
                                                                        village_clerk):
    client = as_user(village_clerk)
    page = client.post("/accounts/password_change/", {
        "old_password": factories.PASSWORD, "new_password1": factories.PASSWORD,
        "new_password2": factories.PASSWORD})
    assert page.status_code == 200 and "最近5次" in page.content.decode()
    response = client.post("/accounts/password_change/", {
        "old_password": factories.PASSWORD, "new_password1": GOOD, "new_password2": GOOD})
    assert response.status_code == 302
    village_clerk.refresh_from_db()
    assert village_clerk.check_password(GOOD)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PASSWORD_CHANGE,
                                     user=village_clerk, detail="本人修改密码").exists()


def test_a_password_older_than_90_days_leads_to_the_change_page(as_user, village_clerk,
                                                                  make_person):
    with time_machine.travel(timezone.now() + dt.timedelta(days=89)):
        assert as_user(village_clerk).get("/persons/").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=91)):
        client = as_user(village_clerk)
        response = client.get("/persons/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/password_change/")
        assert client.get(response["Location"]).status_code == 200
        client.post("/accounts/password_change/", {
            "old_password": factories.PASSWORD, "new_password1": GOOD, "new_password2": GOOD})
        assert client.get("/persons/").status_code == 200


def test_demo_accounts_are_refused_with_debug_off(anon, region_tree):
    from enrollment.demo import DEMO_PASSWORD

    user = factories.make_user("village_staff", Role.VILLAGE_CLERK, factories.VILLAGE)
    user.set_password(DEMO_PASSWORD)
    user.save()
    with override_settings(DEBUG=False):
        response = login(anon, "village_staff", DEMO_PASSWORD)
        assert response.status_code == 200 and "演示账号" in response.content.decode()
        assert "_auth_user_id" not in anon.session
        response = login(anon, "village_staff", DEMO_PASSWORD, url="/admin/login/")
        assert "_auth_user_id" not in anon.session
    with override_settings(DEBUG=True):
        assert login(anon, "village_staff", DEMO_PASSWORD).status_code == 302
