"""Shared personas (ARCHITECTURE.md): a village clerk, the clerk of the neighbouring village, a
township officer, a county administrator, a city leader (read-only) and a grid worker."""
import pytest

from tests import factories


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """The real hasher costs seconds per persona; tests check scope, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_content_types():
    """Content-type ids are cached per process; a transactional test that restores the migrated
    rows (serialized_rollback) brings back ids the cache may no longer hold, and the admin's
    log entry then points at a content type that is not there."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


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
def superuser(region_tree):
    """The installation's account of last resort: the only one who edits regions, profiles,
    standards and registry rows in the admin."""
    return factories.make_user("root", "", None, is_superuser=True)


@pytest.fixture
def as_user(client):
    """Log the test client in as a user: `as_user(village_clerk).get(...)`."""

    def login(user):
        from django.contrib.auth.signals import user_logged_in

        from accounts.signals import audit_login

        # A forced login is test set-up, not a user's login: it leaves no audit row, so tests
        # that count audit rows count only what the page under test wrote.
        user_logged_in.disconnect(audit_login)
        try:
            client.force_login(user)
        finally:
            user_logged_in.connect(audit_login)
        _verify_second_factor(client, user)
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


def _verify_second_factor(client, user):
    """Accounts that must present a TOTP code (superusers, county administrators) are logged
    in as if they had entered one; tests/accounts checks the code itself."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from enrollment import scope

    if not scope.requires_otp(user):
        return
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="测试",
                                                 defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def shipped_policies(db):
    """The hunan and shanxi profiles, put back when a transactional test before this one flushed
    the database (a flush deletes data the migrations shipped)."""
    import importlib

    from django.apps import apps as django_apps

    from benefits.models import PoolingRegionProfile

    if not PoolingRegionProfile.objects.exists():
        for name in ("0002_ship_hunan_shanxi", "0005_second_pass_pilots"):
            importlib.import_module(f"benefits.migrations.{name}").ship(django_apps, None)
