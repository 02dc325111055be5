"""The nightly audit archive (03:10 Asia/Shanghai), as a django-celery-beat schedule."""
from django.db import migrations

TASK_NAME = "操作日志归档（保留180天）"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="10", hour="3", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Asia/Shanghai")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": "accounts.archive_audit_entries", "crontab": crontab,
                  "enabled": True,
                  "description": "把180天以前的操作日志写入归档文件（JSON行，gzip）后再删除"})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
