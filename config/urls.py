from django.contrib import admin
from django.urls import include, path

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
    path("outreach/", include("outreach.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("", include("enrollment.urls")),
]
