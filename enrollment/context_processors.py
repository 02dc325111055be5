from . import scope


def staff_scope(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"user_can_write": scope.can_write(user), "user_is_admin": scope.is_admin(user)}
