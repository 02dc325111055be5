"""The password backend, loading a signed-in user for each request in ONE query.

Every page needs, besides the user row, the user's region (the navigation bar names it, the
scope checks read it) and the date of the last password change (the account gate refuses a
password older than 90 days). Django's ModelBackend loads the user alone, and the two others
followed as two more round trips on every request; here they come in the same SELECT (a join
for the region, a subquery for the last change, the same rows `password_expired` reads)."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import OuterRef, Subquery


class StaffBackend(ModelBackend):
    def get_user(self, user_id):
        from .models import PasswordHistory

        last_change = (PasswordHistory.objects.filter(user=OuterRef("pk"))
                       .order_by("-changed_at", "-pk").values("changed_at")[:1])
        users = (get_user_model()._default_manager.select_related("region")
                 .annotate(password_changed_at=Subquery(last_change)))
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
