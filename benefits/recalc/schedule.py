"""The 1 January 00:30 (Asia/Shanghai) schedule of the recalculation, in django-celery-beat's
tables, so an administrator can change or pause it in the admin (周期任务)."""
from __future__ import annotations

TASK = "benefits.recalc_scheduled"
NAME = "每年1月1日待遇重算"


def ensure_schedule(apps=None) -> None:
    """Create the schedule if missing; never overwrite an administrator's edits."""
    if apps is None:
        from django_celery_beat.models import CrontabSchedule, PeriodicTask
    else:
        CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(task=TASK).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="0", day_of_week="*", day_of_month="1", month_of_year="1",
        timezone="Asia/Shanghai")
    PeriodicTask.objects.create(
        name=NAME, task=TASK, crontab=crontab, enabled=True,
        description="重算新年度全部参保人员的连续参保、断缴、零报销激励、大病保险限额和等待期。")


def remove_schedule(apps=None) -> None:
    if apps is None:
        from django_celery_beat.models import PeriodicTask
    else:
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task=TASK).delete()
