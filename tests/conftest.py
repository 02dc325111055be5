"""Shared personas (ARCHITECTURE.md): a village clerk, the clerk of the neighbouring village, a
township officer, a county administrator, a city leader (read-only) and a grid worker."""
import pytest

from tests import factories


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """The real hasher costs seconds per persona; tests check scope, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def region_tree(db):
    factories.build_regions()


def _persona(name):
    @pytest.fixture(name=name)
    def fixture(region_tree):
        role, region = factories.PERSONAS[name]
        return factories.make_user(name, role, region)

    return fixture


village_clerk = _persona("village_clerk")
neighbour_clerk = _persona("neighbour_clerk")
township_officer = _persona("township_officer")
county_admin = _persona("county_admin")
city_leader = _persona("city_leader")
grid_worker = _persona("grid_worker")


@pytest.fixture
def as_user(client):
    """Log the test client in as a user: `as_user(village_clerk).get(...)`."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def make_person(region_tree):
    return factories.make_person


@pytest.fixture(autouse=True)
def celery_inline(request):
    """Tasks run inline in tests, also when REDIS_URL points at a real broker (CI); tests
    marked `worker` talk to a real worker instead."""
    from config.celery import app

    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous
