from . import scope


class Capabilities:
    """What the user may do, for templates: `{% if caps.can_push %}` asks `scope.can_push(user)`.

    Any capability function of enrollment/scope.py (`can_*`, `is_*`, `sees_*`, `follows_*`) can
    be asked, each once per request; templates never compare `user.role` themselves, so that a
    link is shown exactly when its view will open.
    """

    PREFIXES = ("can_", "is_", "sees_", "follows_")

    def __init__(self, user):
        self._user = user

    def __getattr__(self, name: str) -> bool:
        check = getattr(scope, name, None) if name.startswith(self.PREFIXES) else None
        if not callable(check):
            raise AttributeError(name)
        value = bool(check(self._user))
        setattr(self, name, value)  # asked again in the same page: no second call
        return value


def staff_scope(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"caps": Capabilities(user),
            "user_can_write": scope.can_write(user), "user_is_admin": scope.is_admin(user)}
