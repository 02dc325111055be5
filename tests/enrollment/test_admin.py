"""The admin is scoped like every page: list, change page by URL, search and export."""
import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_admin_person_list_is_scoped(as_user, village_clerk, make_person):
    make_person(factories.GRID, name="王小明")
    make_person(factories.NEIGHBOUR_GRID, name="刘小红")
    page = as_user(village_clerk).get("/admin/enrollment/person/").content.decode()
    assert "王小明" in page and "刘小红" not in page


def test_admin_change_page_of_neighbours_person_is_not_reachable(as_user, village_clerk,
                                                                  make_person):
    theirs = make_person(factories.NEIGHBOUR_GRID)
    response = as_user(village_clerk).get(f"/admin/enrollment/person/{theirs.pk}/change/")
    assert response.status_code == 302  # admin redirects a missing object to the index
    assert as_user(village_clerk).get(
        f"/admin/enrollment/person/{theirs.pk}/history/").status_code in (302, 404)


def test_admin_search_is_scoped(as_user, village_clerk, make_person):
    theirs = make_person(factories.NEIGHBOUR_GRID, name="刘小红")
    page = as_user(village_clerk).get("/admin/enrollment/person/",
                                      {"q": theirs.id_number}).content.decode()
    assert "刘小红" not in page


def test_admin_export_is_scoped(as_user, village_clerk, make_person):
    make_person(factories.GRID, name="王小明")
    make_person(factories.NEIGHBOUR_GRID, name="刘小红")
    client = as_user(village_clerk)
    response = client.post("/admin/enrollment/person/export/", {
        "format": "0", "resource": "0",
        **{f"personresource_{f}": "on" for f in ["name", "id_number", "residence_region"]}})
    assert response.status_code == 200, response.content[:500]
    text = response.content.decode("utf-8-sig")
    assert "王小明" in text and "刘小红" not in text


def test_city_leader_cannot_change_in_admin(as_user, city_leader, make_person):
    person = make_person(factories.GRID)
    client = as_user(city_leader)
    assert client.get("/admin/enrollment/person/").status_code == 200
    response = client.post(f"/admin/enrollment/person/{person.pk}/change/", {"name": "改名"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.name == "张三"


def test_every_model_is_registered_in_the_admin():
    from django.apps import apps
    from django.contrib import admin

    ours = [m for app in ("enrollment", "benefits", "outreach", "dashboards")
            for m in apps.get_app_config(app).get_models()
            if not m.__name__.startswith("Historical")]
    missing = [m.__name__ for m in ours if m not in admin.site._registry]
    assert not missing, f"not in the admin: {missing}"
