from django.urls import path

from . import views

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
    path("enrollments/batch/", views.enrollment_batch, name="enrollment_batch"),
    path("reconcile/", views.reconcile, name="reconcile"),
    path("reconcile/template/<str:kind>.xlsx", views.reconcile_template,
         name="reconcile_template"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/receipt/", views.household_receipt, name="household_receipt"),
    path("enrollments/<int:pk>/stop/", views.enrollment_stop, name="enrollment_stop"),
]
