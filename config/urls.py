from django.contrib import admin
from django.urls import include, path

from config.health import HealthView

admin.site.site_header = "参保通 管理后台"
admin.site.site_title = "参保通"
admin.site.index_title = "数据管理"

urlpatterns = [
    # Before Django's auth URLs: the login view with lockout and demo-account checks, the
    # second factor, and the audit page.
    path("", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("benefits/", include("benefits.urls")),
    path("payments/", include("payments.urls")),
    # The clerk's desk reads registry, benefits and outreach together, so it lives in dashboards
    # (which reads all; outreach and benefits never import each other) under the outreach URLs.
    path("outreach/", include("dashboards.desk_urls")),
    path("outreach/", include("outreach.urls")),
    path("dashboards/", include("dashboards.urls")),
    # The door-step notice needs the engine, so benefits serves it, under the person's address.
    path("", include("benefits.notice_urls")),
    path("healthz", HealthView.as_view(), name="healthz"),
    # The data-sharing API for other departments' systems (token, not login; docs/api.md).
    path("api/v1/", include("api.urls")),
    path("", include("enrollment.urls")),
]

# Chinese error pages that render without the database (config/errors.py).
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
