from django.urls import path

from . import views

urlpatterns = [
    path("calculator/", views.calculator, name="policy_calculator"),
    path("persons/<int:pk>/special/", views.special_case, name="special_case"),
    path("newborn/", views.newborn, name="newborn_enroll"),
]
from django.urls import include  # noqa: E402  (January recalculation pages, issue 4)
urlpatterns += [path("recalc/", include("benefits.urls_recalc"))]
