"""The door-step notice under the person's and the household's own addresses (config/urls.py
includes these at the root): it needs the engine, so benefits serves it."""
from django.urls import path

from .views import notice

urlpatterns = [
    path("persons/<int:pk>/notice/", notice.person_notice, name="person_notice"),
    path("households/<int:pk>/notice/", notice.household_notice, name="household_notice"),
]
