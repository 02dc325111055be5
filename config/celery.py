"""The Celery application.

Without REDIS_URL the settings switch Celery to eager mode, so `make run` needs no broker and
tasks run inline; with it, a real worker (`make worker`) consumes them.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("canbao")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
