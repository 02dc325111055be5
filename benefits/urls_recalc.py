from django.urls import path

from . import views_recalc as views

urlpatterns = [
    path("", views.recalc_start, name="recalc_start"),
    path("jobs/<int:pk>/", views.recalc_job, name="recalc_job"),
    path("jobs/<int:pk>/progress.json", views.recalc_job_json, name="recalc_job_json"),
    path("jobs/<int:pk>/resume/", views.recalc_job_resume, name="recalc_job_resume"),
    path("claims/", views.claims_upload, name="claims_upload"),
    path("claims/confirm/", views.claims_confirm, name="claims_confirm"),
    path("claims/errors.xlsx", views.claims_errors, name="claims_errors"),
    path("claims/template.xlsx", views.claims_template, name="claims_template"),
]
