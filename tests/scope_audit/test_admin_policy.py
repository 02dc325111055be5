"""The admin is no back door: one walk over every registered ModelAdmin and every import-export
resource, for each non-superuser role, against the policy written out here (not read from
scope.py, so that a change of the code cannot quietly change what is checked):

- add/change only what the role administers, in its region; delete nothing;
- every foreign-key and many-to-many field offers no row outside the role's region, and a form
  posted with such an id is refused;
- ID and phone numbers are masked and read-only on change forms, whole only through the
  audited reveal action.
"""
from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from import_export.admin import ImportMixin

from enrollment.models import AuditEntry, Enrollment, Household, Person, Region, School
from outreach.models import Campaign, CampaignTarget, EnrollmentTarget, GridAssignment, Task
from tests import factories
from tests.factories import GRID, VILLAGE

from .common import TODAY, Y

pytestmark = pytest.mark.django_db

# Another city (株洲市), outside every persona's region, the city leader's included.
X_TREE = [("430200000000", "株洲市"), ("430202000000", "荷塘区"), ("430202100000", "月塘街道"),
          ("430202100001", "新华村"), ("430202100001001", "新华村第1网格")]
OTHER_COUNTY, OTHER_VILLAGE, OTHER_GRID = X_TREE[1][0], X_TREE[3][0], X_TREE[4][0]

ROLES = ["village_clerk", "township_officer", "county_admin", "city_leader", "grid_worker"]

# What each role may add and change in the admin (model label -> roles); all else read-only.
POLICY = {
    "outreach.gridassignment": {"county_admin"},
    "outreach.enrollmenttarget": {"county_admin"},
    "outreach.campaigntarget": {"county_admin"},
    "enrollment.officialpopulation": {"county_admin"},
}

MODEL_ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
ADMIN_IDS = [model._meta.label_lower for model, _ in MODEL_ADMINS]


def _request(user, method="get"):
    request = getattr(RequestFactory(), method)("/admin/")
    request.user = user or AnonymousUser()
    request.session = {}
    request._messages = _Messages()
    return request


class _Messages(list):
    def add(self, level, message, extra_tags=""):
        self.append(str(message))


@pytest.fixture
def elsewhere(region_tree, make_person):
    """One of everything in another city: nothing of it may be offered to any persona."""
    from enrollment import regions

    for code, name in X_TREE:
        Region.objects.create(code=code, name=name, parent_id=regions.parent_code(code))
    worker = factories.make_user("other_worker", "grid_worker", OTHER_GRID)
    household = Household.objects.create(number="4301811000010001", head_name="外市户主",
                                         region_id=OTHER_VILLAGE)
    person = make_person(OTHER_GRID, name="外市人", household=household)
    return {
        Region: Region.objects.get(code=OTHER_VILLAGE),
        factories.User: worker,
        Person: person,
        Household: household,
        School: School.objects.create(code="S-OTHER", name="外市小学", kind="primary",
                                      region_id=OTHER_VILLAGE),
        Enrollment: Enrollment.objects.create(person=person, year=Y - 1, status="active",
                                              pooling_region_id=OTHER_COUNTY, paid_on=TODAY),
        Campaign: Campaign.objects.create(name="外市宣传", year=Y, region_id=OTHER_COUNTY,
                                          start_date=TODAY, end_date=TODAY),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model,model_admin", MODEL_ADMINS, ids=ADMIN_IDS)
def test_admin_permissions_follow_the_policy(request, role, model, model_admin):
    user = request.getfixturevalue(role)
    req = _request(user)
    writes = role in POLICY.get(model._meta.label_lower, set())
    assert bool(model_admin.has_add_permission(req)) == writes, "add"
    assert bool(model_admin.has_change_permission(req)) == writes, "change"
    assert not model_admin.has_delete_permission(req), "delete"
    if isinstance(model_admin, ImportMixin):
        assert bool(model_admin.has_import_permission(req)) == writes, "import"


def _relations(model):
    return [f for f in model._meta.get_fields()
            if f.concrete and (f.many_to_one or f.many_to_many or f.one_to_one)]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model,model_admin", MODEL_ADMINS, ids=ADMIN_IDS)
def test_relation_fields_offer_nothing_outside_the_region(request, elsewhere, role, model,
                                                          model_admin):
    user = request.getfixturevalue(role)
    req = _request(user)
    if not model_admin.has_view_permission(req):
        return  # the admin page itself is closed to the role (checked above and below)
    for db_field in _relations(model):
        outside = elsewhere.get(db_field.related_model)
        if outside is None:
            continue
        if db_field.many_to_many:
            formfield = model_admin.formfield_for_manytomany(db_field, req)
        else:
            formfield = model_admin.formfield_for_foreignkey(db_field, req)
        if formfield is None:
            continue
        assert not formfield.queryset.filter(pk=outside.pk).exists(), (
            f"{model._meta.label}.{db_field.name} offers {outside!r} to {role}")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model,model_admin", MODEL_ADMINS, ids=ADMIN_IDS)
def test_closed_admin_pages_are_closed(request, role, model, model_admin):
    """A role without view permission has no module either (nothing to open by URL)."""
    req = _request(request.getfixturevalue(role))
    if not model_admin.has_view_permission(req):
        assert not model_admin.has_module_permission(req)


# --- Posting an out-of-scope id: refused -----------------------------------------------------

# (url, data with {other} for the out-of-scope row's id, the model that must stay unchanged)
COUNTY_ADMIN_POSTS = [
    ("/admin/outreach/gridassignment/add/",
     {"grid": GRID, "worker": "{worker}", "start_date": str(TODAY), "active": "on"},
     GridAssignment),
    ("/admin/outreach/campaigntarget/add/",
     {"campaign": "{campaign}", "region": VILLAGE, "target_enrollments": 10}, CampaignTarget),
    ("/admin/outreach/enrollmenttarget/add/",
     {"region": OTHER_VILLAGE, "year": Y, "target_count": 10}, EnrollmentTarget),
]


def _fill(data, elsewhere):
    names = {"worker": elsewhere[factories.User].pk, "campaign": elsewhere[Campaign].pk}
    return {k: (v.format(**names) if isinstance(v, str) else v) for k, v in data.items()}


@pytest.mark.parametrize("url,data,model", COUNTY_ADMIN_POSTS,
                         ids=[u for u, _, _ in COUNTY_ADMIN_POSTS])
def test_county_admin_posting_an_out_of_scope_id_is_refused(as_user, county_admin, elsewhere,
                                                             url, data, model):
    response = as_user(county_admin).post(url, _fill(data, elsewhere))
    assert response.status_code == 200  # the form again, with the error on the field
    assert "选择一个有效的选项" in response.content.decode()
    assert not model.objects.exists()


@pytest.mark.parametrize("url,data,model", COUNTY_ADMIN_POSTS,
                         ids=[u for u, _, _ in COUNTY_ADMIN_POSTS])
def test_county_admin_may_post_in_scope(as_user, county_admin, grid_worker, url, data, model):
    campaign = Campaign.objects.create(name="本县宣传", year=Y, region_id=VILLAGE,
                                       start_date=TODAY, end_date=TODAY)
    data = {**data, "region": VILLAGE} if "region" in data else data
    data = {k: v.format(worker=grid_worker.pk, campaign=campaign.pk) if isinstance(v, str)
            else v for k, v in data.items()}
    response = as_user(county_admin).post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert model.objects.count() == 1


# --- The findings, one test each --------------------------------------------------------------


def test_clerk_cannot_assign_another_countys_grid_worker_to_their_grid(as_user, village_clerk,
                                                                        elsewhere):
    response = as_user(village_clerk).post("/admin/outreach/gridassignment/add/", {
        "grid": GRID, "worker": elsewhere[factories.User].pk, "start_date": str(TODAY),
        "active": "on"})
    assert response.status_code == 403
    assert not GridAssignment.objects.exists()


def test_clerk_cannot_move_a_task_to_another_countys_worker(as_user, village_clerk, world,
                                                            elsewhere):
    task = world["task"]
    before = task.worker_id
    response = as_user(village_clerk).post(f"/admin/outreach/task/{task.pk}/change/", {
        "region": VILLAGE, "grid": GRID, "worker": elsewhere[factories.User].pk,
        "follow_up_date": "", "visits-TOTAL_FORMS": 0, "visits-INITIAL_FORMS": 0})
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.worker_id == before


def test_clerk_cannot_add_a_target_to_another_countys_campaign(as_user, village_clerk,
                                                               elsewhere):
    response = as_user(village_clerk).post("/admin/outreach/campaigntarget/add/", {
        "campaign": elsewhere[Campaign].pk, "region": VILLAGE, "target_enrollments": 10})
    assert response.status_code == 403
    assert not CampaignTarget.objects.exists()


def test_clerk_cannot_move_a_person_into_another_villages_household(as_user, village_clerk,
                                                                    world, elsewhere):
    person = world["person"]
    response = as_user(village_clerk).post(f"/admin/enrollment/person/{person.pk}/change/", {
        "name": person.name, "sex": person.sex, "birth_date": str(person.birth_date),
        "id_type": person.id_type, "hukou_region": VILLAGE, "residence_region": GRID,
        "household": elsewhere[Household].pk, "life_status": "alive",
        "groups-TOTAL_FORMS": 0, "groups-INITIAL_FORMS": 0})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.household_id == world["household"].pk


def test_clerk_cannot_create_a_region(as_user, village_clerk):
    response = as_user(village_clerk).post("/admin/enrollment/region/add/", {
        "code": "440000000000", "name": "广东省", "level": "province"})
    assert response.status_code == 403
    assert not Region.objects.filter(code="440000000000").exists()


def test_superuser_is_not_limited_by_the_mixin(superuser, elsewhere):
    req = _request(superuser)
    model_admin = admin.site._registry[GridAssignment]
    field = model_admin.formfield_for_foreignkey(GridAssignment._meta.get_field("worker"), req)
    assert field.queryset.filter(pk=elsewhere[factories.User].pk).exists()


# --- ID and phone numbers on change forms ---------------------------------------------------


@pytest.mark.parametrize("persona", ["village_clerk", "city_leader"])
def test_change_form_masks_id_and_phone_and_has_no_input_for_them(request, as_user, world,
                                                                  persona):
    person = world["person"]
    page = as_user(request.getfixturevalue(persona)).get(
        f"/admin/enrollment/person/{person.pk}/change/").content.decode()
    assert person.id_number not in page and person.phone not in page
    assert person.masked_id in page and person.masked_phone in page
    assert 'name="id_number"' not in page and 'name="phone"' not in page


def test_ledger_change_form_masks_the_id_number(as_user, village_clerk, world):
    entry = world["entry"]
    page = as_user(village_clerk).get(
        f"/admin/outreach/ledgerentry/{entry.pk}/change/").content.decode()
    assert entry.id_number not in page and 'name="id_number"' not in page


def test_reveal_action_shows_the_whole_number_and_is_audited(as_user, village_clerk, world):
    person = world["person"]
    response = as_user(village_clerk).post("/admin/enrollment/person/", {
        "action": "reveal_numbers", "_selected_action": [person.pk]}, follow=True)
    assert person.id_number in response.content.decode()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.VIEW_ID, person=person)
    assert entry.user == village_clerk and "后台" in entry.detail


def test_neighbour_cannot_reveal_our_person_through_the_action(as_user, neighbour_clerk, world):
    person = world["person"]
    response = as_user(neighbour_clerk).post("/admin/enrollment/person/", {
        "action": "reveal_numbers", "_selected_action": [person.pk]}, follow=True)
    assert person.id_number not in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_ID).exists()


# --- Import-export resources ----------------------------------------------------------------


def test_every_resource_is_offered_only_where_the_policy_allows_imports(request):
    """Every resource of every admin: an import page only for the roles that write the model."""
    seen = 0
    for model, model_admin in MODEL_ADMINS:
        if not isinstance(model_admin, ImportMixin):
            continue
        seen += 1
        for role in ROLES:
            req = _request(request.getfixturevalue(role), "post")
            allowed = role in POLICY.get(model._meta.label_lower, set())
            assert bool(model_admin.has_import_permission(req)) == allowed, (model, role)
    assert seen >= 4  # persons, enrollments, targets, populations, claims


@pytest.mark.parametrize("resource_path,headers,row", [
    ("outreach.resources.EnrollmentTargetResource", ["区划代码", "year", "target_count"],
     [OTHER_VILLAGE, Y, 10]),
    ("dashboards.resources.OfficialPopulationResource", None, None),
])
def test_resource_import_refuses_another_countys_region(county_admin, resource_path, headers,
                                                        row):
    import importlib

    import tablib

    module, name = resource_path.rsplit(".", 1)
    resource_class = getattr(importlib.import_module(module), name)
    resource = resource_class(user=county_admin)
    if headers is None:  # the resource's own export headers, for a row of another county
        headers = resource.get_export_headers()
        values = {"region": OTHER_VILLAGE, "year": Y, "population": 100}
        row = [next((v for k, v in values.items() if k in h or h.startswith(_label(
            resource, k))), "") for h in headers]
    dataset = tablib.Dataset(row, headers=headers)
    model = resource._meta.model
    result = resource.import_data(dataset, dry_run=False)
    assert result.has_errors() or result.has_validation_errors()
    assert not model.objects.filter(region_id=OTHER_VILLAGE).exists()


def _label(resource, name):
    field = resource.fields.get(name)
    return field.column_name if field is not None else name


def test_history_pages_show_no_whole_id_number(as_user, village_clerk, world):
    person = world["person"]
    client = as_user(village_clerk)
    version = person.history.first()
    for url in (f"/admin/enrollment/person/{person.pk}/history/",
                f"/admin/enrollment/person/{person.pk}/history/{version.history_id}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert person.id_number not in response.content.decode(), url
