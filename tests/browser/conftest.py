"""Real-browser walks: Playwright driving Debian's Chromium against pytest-django's live server.

They run in CI (`.ci/run` and `make test` install Chromium when it is missing). Where Chromium
is still missing they fail rather than skip, so that CI cannot pass without them; a developer
without a browser sets CANBAO_SKIP_BROWSER=1 to skip them explicitly.
"""
import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def pytest_collection_modifyitems(config, items):
    """Mark the walks `browser` and run them last: each ends with a flush of the database, and
    the serialized tests that come after a flush (tests/serving) reload the migrated data on
    top of what the tests in between created."""
    here = Path(__file__).parent
    walks = [item for item in items if here in Path(str(item.fspath)).parents]
    for item in walks:
        item.add_marker(pytest.mark.browser)
    items[:] = [item for item in items if item not in walks] + walks


def _chromium_or_fail() -> None:
    if os.environ.get("CANBAO_SKIP_BROWSER") == "1":
        pytest.skip("CANBAO_SKIP_BROWSER=1: the real-browser tests are skipped on request")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium "
                    "chromium-driver fonts-noto-cjk), or set CANBAO_SKIP_BROWSER=1 to skip",
                    pytrace=False)


@pytest.fixture(scope="module")
def chromium():
    """One Chromium per module, stopped at the module's end.

    Playwright's sync API runs an event loop in the test thread while it is started; Django
    refuses ORM calls there, so the tests' own set-up and checks are allowed for exactly as long
    as the browser lives (pytest-playwright's session-wide browser would leave the loop running
    under every test after these)."""
    _chromium_or_fail()
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)  # a loaded CI machine renders slowly
    manager = sync_playwright().start()
    browser = manager.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                   accept_downloads=True)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


class Clicks:
    """Counts the user's clicks (taps) of a walk."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def __call__(self, locator):
        self.count += 1
        locator.click()


@pytest.fixture
def clicks(page):
    return Clicks(page)


@pytest.fixture
def sign_in(page, live_server):
    """Fill the login form; the click that sends it is the walk's first click."""

    def fill(user, password):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        return page.get_by_role("button", name="登录")

    return fill


@pytest.fixture(autouse=True)
def audit_rows_go_before_the_flush(chromium):
    """A live-server test ends with a flush, and on SQLite a flush deletes row by row, which the
    append-only audit trigger refuses. The walks write audit rows (logins, registrations), so
    they are removed first, the way the archiving job removes archived rows."""
    yield
    from django.db import transaction

    from enrollment.audit import _delete_archived
    from enrollment.models import AuditEntry

    with transaction.atomic():
        _delete_archived(AuditEntry.objects.all())


def _ship_policies_again() -> None:
    """Put the shipped profile mapping back the way the data migrations do. Serialized rollback
    does not bring it back: Django serializes a model ordered by its primary key, which for the
    mapping is a join to a region that the migrated database does not hold yet, so the row is
    left out."""
    import importlib

    from django.apps import apps as django_apps

    from benefits.models import PoolingRegionProfile

    if PoolingRegionProfile.objects.exists():
        return
    for name in ("0002_ship_hunan_shanxi", "0005_second_pass_pilots"):
        importlib.import_module(f"benefits.migrations.{name}").ship(django_apps, None)


@pytest.fixture(autouse=True)
def policies_shipped(db):
    _ship_policies_again()


@pytest.fixture(scope="module", autouse=True)
def policies_left_for_the_tests_after(django_db_blocker):
    """The last walk's flush takes the migrated data (content types, profiles, the mapping)
    with it; the tests that run after these, in the same database, still expect it."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        # Back to the migrated data the last flush removed (what the next serialized test
        # would load), so that tests without a flush of their own find it as they expect.
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            connection.creation.deserialize_db_from_string(contents)
        _ship_policies_again()
