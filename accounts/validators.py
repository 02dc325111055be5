"""Password rules of MLPS level 3 (GB/T 22239-2019 8.1.4.1): long, mixed, not reused.

Messages are written here in Chinese rather than taken from Django's translations, so that they
read the same in a command or a task as on a page."""
from __future__ import annotations

import string

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

CLASSES = [
    ("大写字母", lambda c: c in string.ascii_uppercase),
    ("小写字母", lambda c: c in string.ascii_lowercase),
    ("数字", lambda c: c in string.digits),
    ("符号", lambda c: not c.isalnum()),
]


class LengthValidator:
    def __init__(self, min_length: int = 12):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError("密码太短，至少需要%(n)d个字符。", code="password_too_short",
                                  params={"n": self.min_length})

    def get_help_text(self):
        return f"至少{self.min_length}个字符。"


class CharacterClassValidator:
    """At least three of: upper case, lower case, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        used = sum(1 for _, test in CLASSES if any(test(c) for c in password))
        if used < self.min_classes:
            raise ValidationError(
                "密码须至少包含大写字母、小写字母、数字、符号中的%(n)d类。", code="password_classes",
                params={"n": self.min_classes})

    def get_help_text(self):
        return f"至少包含大写字母、小写字母、数字、符号中的{self.min_classes}类。"


class PasswordHistoryValidator:
    """Not one of the last N passwords; records each new password when it is saved."""

    def __init__(self, count: int | None = None):
        self.count = count or getattr(settings, "PASSWORD_HISTORY_COUNT", 5)

    def validate(self, password, user=None):
        if user is None or not user.pk:
            return
        from .models import PasswordHistory

        recent = PasswordHistory.objects.filter(user=user).values_list(
            "password", flat=True)[: self.count]
        # The current password counts even for users created before the history existed.
        for encoded in [user.password, *recent]:
            if encoded and check_password(password, encoded):
                raise ValidationError(f"新密码不能与最近{self.count}次使用过的密码相同。",
                                      code="password_reused")

    def password_changed(self, password, user=None):
        # Called by User.save() after set_password(): every path that sets a password
        # (change form, admin, createsuperuser, seed) leaves a history row and an audit row.
        if user is None or not user.pk:
            return
        from .models import PasswordHistory
        from .signals import audit_password_change

        first = not PasswordHistory.objects.filter(user=user).exists()
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[
            self.count:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
        audit_password_change(user, first=first)

    def get_help_text(self):
        return f"不能与最近{self.count}次使用过的密码相同。"
