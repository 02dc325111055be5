from django.urls import path

from . import views

urlpatterns = [
    path("calculator/", views.calculator, name="policy_calculator"),
    path("persons/<int:pk>/special/", views.special_case, name="special_case"),
    path("newborn/", views.newborn, name="newborn_enroll"),
]
