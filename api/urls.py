from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from . import views

app_name = "api"

urlpatterns = [
    path("status/", views.StatusView.as_view(), name="status"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("unenrolled/", views.UnenrolledView.as_view(), name="unenrolled"),
    # The schema describes the API and holds no data: readable without a token, so that a
    # department can build its client before its token is issued.
    path("schema/", SpectacularAPIView.as_view(authentication_classes=[],
                                               permission_classes=[AllowAny]), name="schema"),
]
