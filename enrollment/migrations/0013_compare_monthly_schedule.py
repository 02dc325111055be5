"""The monthly comparison (按月动态交叉比对) on the 1st of each month at 02:30 Asia/Shanghai, as a
django-celery-beat schedule (in the admin's 周期任务 like the others)."""
from django.db import migrations

TASK_NAME = "按月动态交叉比对（每月1日）"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="1", month_of_year="*",
        timezone="Asia/Shanghai")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": "enrollment.compare_monthly", "crontab": crontab, "enabled": True,
                  "description": "比对人员档案与各部门数据（死亡、迁移、异地参保、困难人员、新生儿、"
                                 "在校学生等），结果进入比对核查"})


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ('enrollment', '0012_findings'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
