import re
from html.parser import HTMLParser

import pytest

from enrollment import scope
from enrollment.models import Person
from tests import factories

pytestmark = pytest.mark.django_db


def test_village_clerk_sees_own_village_only(village_clerk, make_person):
    mine = make_person(factories.GRID)
    theirs = make_person(factories.NEIGHBOUR_GRID)
    visible = scope.filter_persons(village_clerk, Person.objects.all())
    assert mine in visible and theirs not in visible


def test_person_registered_here_but_living_elsewhere_is_visible_in_both(
        village_clerk, neighbour_clerk, make_person):
    separated = make_person(factories.NEIGHBOUR_GRID, hukou_code=factories.VILLAGE)
    assert scope.filter_persons(village_clerk, Person.objects.all()).get() == separated
    assert scope.filter_persons(neighbour_clerk, Person.objects.all()).get() == separated


def test_county_admin_sees_whole_county_not_the_other(county_admin, make_person):
    a = make_person(factories.GRID)
    b = make_person(factories.NEIGHBOUR_GRID)
    c = make_person(factories.OTHER_GRID)
    assert set(scope.filter_persons(county_admin, Person.objects.all())) == {a, b}


def test_city_leader_reads_but_cannot_write(city_leader):
    assert scope.region_prefix(city_leader) == "4301"
    assert not scope.can_write(city_leader)


def test_user_without_region_sees_nothing(region_tree, make_person):
    make_person()
    user = factories.make_user("noregion", "", None)
    assert not scope.filter_persons(user, Person.objects.all()).exists()


def test_living_in_a_grid_of_ones_own_village_is_not_separated(make_person):
    assert not make_person(factories.GRID, hukou_code=factories.VILLAGE).separated
    assert make_person(factories.NEIGHBOUR_GRID, hukou_code=factories.VILLAGE).separated


# --- Capabilities: one answer per persona, asked by services, views and templates alike -------

CAPABILITIES = {
    # capability: personas who have it
    "can_write": {"village_clerk", "neighbour_clerk", "township_officer", "county_admin",
                  "grid_worker"},
    "can_recalculate": {"county_admin"},
    "follows_all_region_jobs": {"county_admin", "city_leader"},
    "can_push": {"county_admin"},
    "can_sign": {"township_officer", "county_admin"},
    "can_assign": {"village_clerk", "neighbour_clerk", "township_officer", "county_admin"},
    "can_manage_outreach": {"township_officer", "county_admin"},
    "can_view_batches": {"township_officer", "county_admin", "city_leader"},
    "is_grid_worker": {"grid_worker"},
    "sees_own_tasks_only": {"grid_worker"},
}


@pytest.mark.parametrize("capability", sorted(CAPABILITIES))
def test_each_capability_belongs_to_the_personas_that_hold_it(capability, request):
    holders = {name for name in factories.PERSONAS
               if getattr(scope, capability)(request.getfixturevalue(name))}
    assert holders == CAPABILITIES[capability]


def test_a_superuser_may_do_everything_but_work_as_a_grid_worker(region_tree):
    root = factories.make_user("root", "", None, is_superuser=True)
    for capability in CAPABILITIES:
        assert getattr(scope, capability)(root) == (capability not in {
            "is_grid_worker", "sees_own_tasks_only"}), capability


def test_a_role_nobody_named_may_do_nothing_in_outreach(region_tree):
    """Capabilities allow-list roles: a role added later gains nothing until one names it."""
    newcomer = factories.make_user("newcomer", "auditor", factories.COUNTY)
    for capability in ("can_push", "can_sign", "can_manage_outreach", "can_view_batches",
                       "can_recalculate", "follows_all_region_jobs", "sees_own_tasks_only"):
        assert not getattr(scope, capability)(newcomer), capability


def test_grid_workers_are_the_active_grid_worker_accounts_of_the_region(
        village_clerk, grid_worker, township_officer):
    away = factories.make_user("away", factories.Role.GRID_WORKER, factories.NEIGHBOUR_GRID)
    factories.make_user("gone", factories.Role.GRID_WORKER, factories.GRID, is_active=False)
    assert list(scope.grid_workers(village_clerk)) == [grid_worker]
    assert set(scope.grid_workers(township_officer)) == {grid_worker, away}


# --- Navigation: every link offered opens ---------------------------------------------------

class _NavLinks(HTMLParser):
    """Links inside the navigation: the navbar, nav pills/tabs and the home page's link list."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}
    NAV_CLASS = re.compile(r"\b(nav|navbar|list-group)\b")

    def __init__(self):
        super().__init__()
        self.inside: list[bool] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        inside = bool(self.inside and self.inside[-1]) or tag == "nav" or bool(
            self.NAV_CLASS.search(attrs.get("class") or ""))
        href = attrs.get("href") or ""
        if tag == "a" and inside and href.startswith("/") and not href.startswith("/static/"):
            self.links.append(href)
        if tag not in self.VOID:
            self.inside.append(inside)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.inside:
            self.inside.pop()


def _nav_links(html: str) -> list[str]:
    parser = _NavLinks()
    parser.feed(html)
    return parser.links


@pytest.mark.parametrize("persona", list(factories.PERSONAS))
def test_every_link_in_the_navigation_opens(persona, request, as_user):
    """The home page and the navigation of each page it leads to (the outreach tabs, …) offer
    only pages the user may open: no link answers 403."""
    # as_user signs in as a full session would, second factor included where one is required.
    client = as_user(request.getfixturevalue(persona))
    # "/" leads each role to its landing page (my tasks, the dashboard, the work list).
    home = client.get("/", follow=True)
    assert home.status_code == 200
    landing = home.redirect_chain[-1][0] if home.redirect_chain else "/"
    seen, refused = {"/", landing}, []
    frontier = [(landing, link) for link in _nav_links(home.content.decode())]
    for depth in (1, 2):
        following = []
        for source, link in frontier:
            if link in seen:
                continue
            seen.add(link)
            response = client.get(link)
            if response.status_code == 403 or response.status_code >= 500:
                refused.append(f"{link} (linked from {source}) answers {response.status_code}")
            elif depth == 1 and response.status_code == 200 and not link.startswith("/admin/"):
                following += [(link, href) for href in _nav_links(response.content.decode())]
        frontier = following
    assert len(seen) > 5
    assert refused == []


def test_templates_ask_capabilities_through_caps(county_admin, monkeypatch):
    from enrollment.context_processors import Capabilities

    calls = []
    monkeypatch.setattr(scope, "can_push", lambda user: calls.append(user) or True)
    caps = Capabilities(county_admin)
    assert caps.can_push and caps.can_push and calls == [county_admin]  # asked once a page
    assert caps.can_manage_outreach and not caps.sees_own_tasks_only
    for name in ("region_prefix", "can_fly", "PUSH_ROLES"):
        with pytest.raises(AttributeError):
            getattr(caps, name)
