"""The clerk's desk under /outreach/ (config/urls.py includes it there, before outreach's own
URLs): it reads registry, benefits results and outreach tasks together, which only dashboards
may do."""
from django.urls import path

from . import desk

urlpatterns = [
    path("radar/", desk.radar_page, name="outreach_radar"),
    path("radar/export.xlsx", desk.radar_export, name="outreach_radar_export"),
    path("radar/task/", desk.radar_task, name="outreach_radar_task"),
    path("today/", desk.worklist, name="outreach_worklist"),
]
