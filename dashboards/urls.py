from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("print/", views.dashboard_print, name="print"),
    path("export.xlsx", views.dashboard_export, name="export"),
    path("people/", views.people, name="people"),
    path("people/export.xlsx", views.people_export, name="people_export"),
    path("people/print/", views.people_print, name="people_print"),
    path("refresh/", views.refresh, name="refresh"),
    path("evaluation/", views.evaluation, name="evaluation"),
    path("evaluation/export.xlsx", views.evaluation_export, name="evaluation_export"),
]
