from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.generic import RedirectView

from . import file_views, finding_views, views
from .exchange import views as exchange_views

urlpatterns = [
    path("", views.home, name="home"),
    path("persons/", views.person_list, name="person_list"),
    path("persons/export/", views.person_export, name="person_export"),
    path("persons/new/", views.person_create, name="person_create"),
    path("persons/id-check/", views.id_check, name="id_check"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/status/", views.person_life_status, name="person_life_status"),
    path("persons/<int:pk>/reveal-id/", views.person_reveal_id, name="person_reveal_id"),
    path("persons/<int:pk>/enroll/", views.enrollment_create, name="enrollment_create"),
    path("persons/<int:pk>/enroll/preview/", views.enrollment_preview,
         name="enrollment_preview"),
    path("persons/<int:pk>/merge/", file_views.person_merge_choose, name="person_merge"),
    path("persons/<int:pk>/merge/<int:other>/", file_views.person_merge_preview,
         name="person_merge_preview"),
    path("transfers/", file_views.transfer_list, name="transfer_list"),
    path("transfers/new/", file_views.transfer_create, name="transfer_create"),
    path("transfers/<int:pk>/accept/", file_views.transfer_accept, name="transfer_accept"),
    path("transfers/<int:pk>/decline/", file_views.transfer_decline, name="transfer_decline"),
    path("enrollments/batch/", views.enrollment_batch, name="enrollment_batch"),
    path("enrollments/batch/print/", views.enrollment_batch_print,
         name="enrollment_batch_print"),
    path("exchange/", include("enrollment.exchange.urls")),
    # The hand comparison (部门比对) became the data exchange: its old addresses lead there.
    path("reconcile/", login_required(RedirectView.as_view(pattern_name="exchange_kinds",
                                                           permanent=True)), name="reconcile"),
    path("reconcile/template/<str:kind>.xlsx", exchange_views.old_template,
         name="reconcile_template"),
    path("findings/", finding_views.finding_list, name="finding_list"),
    path("findings/export/", finding_views.finding_export, name="finding_export"),
    path("findings/run/", finding_views.comparison_run, name="comparison_run"),
    path("findings/<int:pk>/", finding_views.finding_detail, name="finding_detail"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/receipt/", views.household_receipt, name="household_receipt"),
    path("enrollments/<int:pk>/stop/", views.enrollment_stop, name="enrollment_stop"),
]
