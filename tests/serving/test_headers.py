"""Content-Security-Policy on every response; no-store on everything a signed-in user gets."""
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from config.middleware import NoStoreMiddleware

ROOT = Path(__file__).resolve().parents[2]


def _directives(response):
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/healthz", "/no-such-page/"])
def test_anonymous_responses_carry_a_csp_without_inline_scripts(client, url):
    response = client.get(url)
    directives = _directives(response)
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["style-src"]
    assert directives["object-src"] == "'none'"


def test_staff_pages_carry_the_csp_and_no_store(as_user, village_clerk):
    response = as_user(village_clerk).get("/persons/")
    assert response.status_code == 200
    assert _directives(response)["script-src"] == "'self'"
    assert "no-store" in response.headers["Cache-Control"]


def test_exports_with_personal_data_are_not_stored(as_user, county_admin):
    client = as_user(county_admin)
    for url in ["/outreach/export/", "/dashboards/export.xlsx"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.headers["Cache-Control"], url


def test_json_for_staff_is_not_stored(as_user, village_clerk, make_person):
    person = make_person()
    response = as_user(village_clerk).post(f"/persons/{person.pk}/reveal-id/")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_anonymous_pages_and_static_files_keep_their_caching():
    factory = RequestFactory()
    middleware = NoStoreMiddleware(lambda request: HttpResponse("x"))

    anonymous = factory.get("/accounts/login/")
    anonymous.user = AnonymousUser()
    assert not middleware(anonymous).has_header("Cache-Control")

    class SignedIn:
        is_authenticated = True

    static = factory.get("/static/css/app.css")
    static.user = SignedIn()
    assert not middleware(static).has_header("Cache-Control")


def test_a_view_that_sets_its_own_cache_control_keeps_it():
    class SignedIn:
        is_authenticated = True

    def view(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "max-age=0, no-cache, no-store, must-revalidate, private"
        return response

    request = RequestFactory().get("/persons/")
    request.user = SignedIn()
    assert NoStoreMiddleware(view)(request)["Cache-Control"].startswith("max-age=0")


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+=", re.I), "inline event handler"),
]


def test_no_template_has_inline_scripts_or_styles():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            if pattern.search(text):
                found.append(f"{path.relative_to(ROOT)}: {what}")
    assert found == []


def test_rendered_pages_have_no_inline_scripts(as_user, county_admin, make_person):
    """What crispy-forms and the include tags produce counts as much as the templates."""
    person = make_person()
    client = as_user(county_admin)
    for url in ["/", "/persons/", f"/persons/{person.pk}/", "/persons/new/",
                "/enrollments/batch/", "/dashboards/", "/dashboards/print/", "/outreach/",
                "/benefits/calculator/", "/benefits/recalc/", "/outreach/radar/",
                "/outreach/today/", f"/persons/{person.pk}/notice/",
                "/dashboards/people/print/"]:
        response = client.get(url, follow=True)  # "/" leads to the role's landing page
        assert response.status_code == 200, url
        html = response.content.decode()
        for pattern, what in INLINE:
            assert not pattern.search(html), f"{url}: {what}"


def test_admin_allows_inline_styles_but_never_inline_scripts(as_user, county_admin):
    directives = _directives(as_user(county_admin).get("/admin/"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self' 'unsafe-inline'"
