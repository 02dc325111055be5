"""Abandoned uploads (which may carry ID numbers) are swept every 15 minutes by django-celery-beat;
the schedule lives in the admin (周期任务) like the others."""
from django.db import migrations

TASK_NAME = "清理过期的上传文件"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": "core.sweep_staged_uploads", "interval": every, "enabled": True,
                  "description": "删除超过1小时未确认的上传文件（可能含身份证号）"})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
