"""What the registry commands share: acting as a user, and refusals as one Chinese line
naming the field, exit status 2, nothing written."""
from __future__ import annotations

import sys

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from enrollment.models import User


class Refused(Exception):
    def __init__(self, line: str):
        super().__init__(line)
        self.line = line


def acting_user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).select_related("region").first()
    if user is None:
        raise Refused(f"经办人（--as）：用户“{username}”不存在或已停用。")
    return user


def refusal_line(exc: ValidationError, labels: dict[str, str]) -> str:
    """Every message of a ValidationError on one line, each after the field it is about."""
    errors = getattr(exc, "message_dict", None) or {NON_FIELD_ERRORS: exc.messages}
    parts = []
    for name, messages in errors.items():
        label = labels.get(name, "" if name == NON_FIELD_ERRORS else name)
        text = "；".join(str(m) for m in messages)
        parts.append(f"{label}：{text}" if label else text)
    return " ".join(parts).replace("\n", " ")


def fail(command, line: str):
    command.stderr.write(line.replace("\n", " "))
    sys.exit(2)
