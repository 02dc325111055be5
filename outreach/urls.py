from django.urls import path

from . import views

urlpatterns = [
    path("", views.ledger, name="outreach_ledger"),
    path("export/", views.ledger_export, name="outreach_ledger_export"),
    path("generate/", views.ledger_generate, name="outreach_generate"),
    path("entries/<int:pk>/", views.entry_detail, name="outreach_entry"),
    path("push/", views.push, name="outreach_push"),
    path("batches/", views.batch_list, name="outreach_batches"),
    path("batches/<int:pk>/", views.batch_detail, name="outreach_batch"),
    path("tasks/", views.task_list, name="outreach_tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="outreach_task"),
    path("tasks/<int:pk>/<str:action>/", views.task_action, name="outreach_task_action"),
    path("my-tasks/", views.my_tasks, name="outreach_my_tasks"),
    path("feedback/", views.feedback, name="outreach_feedback"),
    path("grids/", views.grids, name="outreach_grids"),
    path("targets/", views.targets, name="outreach_targets"),
    path("campaigns/", views.campaigns, name="outreach_campaigns"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="outreach_campaign"),
]
