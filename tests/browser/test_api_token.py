"""The superuser issues a department token in the admin, in a real browser at desktop width and
on a phone: the key is on the page once, and it opens the API."""
import re
from pathlib import Path

import pytest
from django.test import Client

from api.models import DepartmentToken
from tests import factories as f

SHOTS = Path("/tmp/shots/api")
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _signed_in(page, live_server, user):
    """The superuser's session (password and second factor done) in the browser's cookies."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="测试", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    page.context.add_cookies([{"name": "sessionid", "value": session.session_key,
                               "url": live_server.url}])


@pytest.mark.parametrize("width", [1280, 375])
def test_superuser_issues_a_token_and_copies_the_key_once(page, live_server, width):
    f.build_regions()
    root = f.make_user("root", "", None, is_superuser=True)
    person = f.make_person(f.GRID)
    page.set_viewport_size({"width": width, "height": 900})
    _signed_in(page, live_server, root)
    page.goto(f"{live_server.url}/admin/api/departmenttoken/add/")
    page.fill("input[name=department]", "县卫生健康局")
    page.fill("input[name=region]", f.COUNTY)
    page.get_by_label("姓名").check()
    page.fill("input[name=note]", "出生一件事核对参保")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"token-add-{width}.png"), full_page=True)
    page.locator("input[name=_save]").click()
    page.wait_for_selector("#api-key")
    page.screenshot(path=str(SHOTS / f"token-created-{width}.png"), full_page=True)
    key = page.input_value("#api-key")
    assert re.fullmatch(r"cbk_[A-Za-z0-9_-]{40,}", key)
    token = DepartmentToken.objects.get()
    assert token.fields == ["name"] and token.region_id == f.COUNTY
    answer = page.request.get(f"{live_server.url}/api/v1/status/?id_number={person.id_number}",
                              headers={"Authorization": f"Token {key}"})
    assert answer.status == 200 and answer.json()["name"] == person.name
    page.goto(f"{live_server.url}/admin/api/departmenttoken/")
    page.screenshot(path=str(SHOTS / f"token-list-{width}.png"), full_page=True)
    assert key not in page.content() and token.key_prefix in page.content()
