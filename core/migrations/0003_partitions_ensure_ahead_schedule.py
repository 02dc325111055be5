"""Next year's partitions are made ahead of January: beat runs core.partitions_ensure_ahead on
the 1st of every month at 03:10 (safe to run twice; a no-op on SQLite)."""
from django.db import migrations

TASK_NAME = "建立下一年度分区"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="10", hour="3", day_of_week="*", day_of_month="1", month_of_year="*",
        timezone="Asia/Shanghai")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": "core.partitions_ensure_ahead", "crontab": crontab, "enabled": True,
                  "description": "为参保登记相关的按年度分区表提前建立本年度和下一年度分区"})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_submitted_form"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
