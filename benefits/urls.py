"""Every page of the benefits app, under /benefits/."""
from django.urls import path

from . import views
from .claims import views as claims_views

urlpatterns = [
    path("calculator/", views.calculator, name="policy_calculator"),
    path("persons/<int:pk>/special/", views.special_case, name="special_case"),
    path("newborn/", views.newborn, name="newborn_enroll"),
    # The January recalculation
    path("recalc/", views.recalc_start, name="recalc_start"),
    path("recalc/jobs/<int:pk>/", views.recalc_job, name="recalc_job"),
    path("recalc/jobs/<int:pk>/progress.json", views.recalc_job_json, name="recalc_job_json"),
    path("recalc/jobs/<int:pk>/resume/", views.recalc_job_resume, name="recalc_job_resume"),
    path("recalc/jobs/<int:pk>/changes/", views.recalc_changes, name="recalc_changes"),
    path("recalc/jobs/<int:pk>/changes.xlsx", views.recalc_changes_export,
         name="recalc_changes_export"),
    # The claims summaries upload; its addresses stay under recalc/ so that existing links work
    path("recalc/claims/", claims_views.claims_upload, name="claims_upload"),
    path("recalc/claims/confirm/", claims_views.claims_confirm, name="claims_confirm"),
    path("recalc/claims/errors.xlsx", claims_views.claims_errors, name="claims_errors"),
    path("recalc/claims/template.xlsx", claims_views.claims_template, name="claims_template"),
]
