"""The URL table is complete, and every page in it sends an anonymous visitor to the login
page."""
from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from . import checks
from . import test_benefits, test_dashboards, test_enrollment, test_outreach, test_payments

pytestmark = pytest.mark.django_db

PAGES = [*test_enrollment.PAGES, *test_benefits.PAGES, *test_outreach.PAGES,
         *test_dashboards.PAGES, *test_payments.PAGES,
         # Accounts and audit: the second factor and the audit administrator's pages.
         ("otp_setup", "/accounts/otp/setup/"), ("otp_verify", "/accounts/otp/verify/"),
         ("audit_log", "/audit/"), ("audit_export", "/audit/export.xlsx")]
AUTH_URLS = {"login", "logout", "password_change", "password_change_done", "password_reset",
             "password_reset_done", "password_reset_confirm", "password_reset_complete"}
# Public on purpose: monitoring asks /healthz without a login; it shows no personal data. The
# data-sharing API's OpenAPI schema describes it and holds no data.
PUBLIC_URLS = {"healthz", "api:schema"}
# The data-sharing API answers other departments' systems, which hold a token, not a login:
# without one, 401 (tests/api checks every refusal).
API_URLS = {"api:status": "/api/v1/status/", "api:coverage": "/api/v1/coverage/",
            "api:unenrolled": "/api/v1/unenrolled/"}


def _named_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.app_name == "admin":
                continue
            ns = f"{p.namespace}:" if p.namespace else namespace
            yield from _named_patterns(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield namespace + p.name


def test_every_url_pattern_is_in_the_table():
    covered = {name for name, _ in PAGES} | AUTH_URLS | PUBLIC_URLS | set(API_URLS)
    assert set(_named_patterns()) - covered == set()


# --- (a) Anonymous visitors go to the login page -------------------------------------------


@pytest.mark.parametrize("name,url", PAGES, ids=[n for n, _ in PAGES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_redirected_to_login(client, world, name, url, method):
    checks.anonymous_is_redirected_to_login(client, world, name, url, method)


@pytest.mark.parametrize("url", list(API_URLS.values()))
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_api_call_is_refused_with_401(client, url, method):
    response = getattr(client, method)(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
