"""Tokens are issued in the admin by the superuser only; the key is shown once, on the page
after the issue, and stored only as its hash; nobody else sees the tokens at all."""
import pytest

from api.models import DepartmentToken
from api.services import hash_key
from enrollment.models import AuditEntry, Role
from tests import factories as f

pytestmark = pytest.mark.django_db

ADD = "/admin/api/departmenttoken/add/"
LIST = "/admin/api/departmenttoken/"


def _form(**extra):
    return {"department": "县医疗保障局", "region": f.COUNTY, "fields": ["name"],
            "active": "on", "expires_at_0": "2099-12-31", "expires_at_1": "00:00:00",
            "note": "核对参保状态", **extra}


def _key_on(page: str) -> str:
    start = page.index('id="api-key"')
    value = page.index('value="', start) + len('value="')
    return page[value:page.index('"', value)]


def test_superuser_issues_a_token_and_sees_the_key_once(as_user, superuser):
    client = as_user(superuser)
    response = client.post(ADD, _form())
    assert response.status_code == 200
    page = response.content.decode()
    assert "只显示这一次" in page
    key = _key_on(page)
    token = DepartmentToken.objects.get()
    assert token.key_hash == hash_key(key) and token.created_by == superuser
    assert (token.department, token.region_id, token.fields) == ("县医疗保障局", f.COUNTY, ["name"])
    assert "no-store" in response["Cache-Control"]
    later = client.get(LIST).content.decode() + client.get(
        f"{LIST}{token.pk}/change/").content.decode()
    assert key not in later and token.key_prefix in later
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PERMISSION_CHANGE,
                                   detail__startswith="签发数据共享令牌")
    assert entry.user == superuser and key not in entry.detail


def test_the_issued_key_opens_the_api(as_user, superuser, client, make_person):
    page = as_user(superuser).post(ADD, _form()).content.decode()
    key = _key_on(page)
    client.logout()
    person = make_person(f.GRID)
    response = client.get("/api/v1/status/", {"id_number": person.id_number},
                          HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and response.json()["name"] == person.name


def test_an_unknown_field_name_is_refused(as_user, superuser):
    response = as_user(superuser).post(ADD, _form(fields=["birth_place"]))
    assert response.status_code == 200 and not DepartmentToken.objects.exists()
    assert "birth_place" in response.content.decode()


def test_an_expiry_in_the_past_is_refused_naming_the_field(as_user, superuser):
    response = as_user(superuser).post(ADD, _form(expires_at_0="2020-01-01"))
    assert response.status_code == 200 and not DepartmentToken.objects.exists()
    assert "有效期至应晚于现在" in response.content.decode()


def test_changing_a_token_keeps_its_key_and_is_audited(as_user, superuser, issue):
    token, key = issue()
    response = as_user(superuser).post(f"{LIST}{token.pk}/change/",
                                       _form(department="县卫生健康局", fields=["id_number"]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.fields == ["id_number"] and token.key_hash == hash_key(key)
    assert AuditEntry.objects.filter(detail__startswith="修改数据共享令牌").exists()


def test_the_deactivate_action_switches_tokens_off(as_user, superuser, issue):
    token, _ = issue()
    as_user(superuser).post(LIST, {"action": "deactivate", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert not token.active
    assert AuditEntry.objects.filter(detail__startswith="停用数据共享令牌").count() == 1


def test_tokens_are_never_deleted_in_the_admin(as_user, superuser, issue):
    token, _ = issue()
    response = as_user(superuser).post(f"{LIST}{token.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert DepartmentToken.objects.filter(pk=token.pk).exists()


@pytest.mark.parametrize("persona", ["county_admin", "city_leader", "village_clerk",
                                     "township_officer"])
def test_regional_staff_cannot_see_or_issue_tokens(request, as_user, issue, persona):
    token, _ = issue()
    client = as_user(request.getfixturevalue(persona))
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{token.pk}/change/").status_code in (302, 403)
    assert client.post(ADD, _form()).status_code == 403
    assert DepartmentToken.objects.count() == 1
    assert "数据共享令牌" not in client.get("/admin/").content.decode()


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_the_separated_administrators_cannot_issue_tokens(as_user, region_tree, role):
    user = f.make_user(f"duty_{role}", role, None)
    response = as_user(user).post(ADD, _form())
    assert response.status_code in (302, 403)
    assert not DepartmentToken.objects.exists()
