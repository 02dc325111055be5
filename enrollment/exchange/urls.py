from django.urls import path

from . import views

urlpatterns = [
    path("", views.kinds, name="exchange_kinds"),
    path("history/", views.history, name="exchange_history"),
    path("imports/<int:pk>/", views.import_detail, name="exchange_import"),
    path("imports/<int:pk>/confirm/", views.confirm, name="exchange_confirm"),
    path("imports/<int:pk>/retry/", views.retry, name="exchange_retry"),
    path("imports/<int:pk>/progress/", views.progress, name="exchange_progress"),
    path("imports/<int:pk>/errors.xlsx", views.errors, name="exchange_errors"),
    path("<str:kind>/", views.upload, name="exchange_upload"),
    path("<str:kind>/template.xlsx", views.template, name="exchange_template"),
]
