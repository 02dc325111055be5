"""The site's URLs plus views that fail on purpose, to render each error page."""
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def _raise(exc):
    def view(request):
        raise exc

    return view


urlpatterns = [
    path("boom/400/", _raise(SuspiciousOperation("bad input"))),
    path("boom/403/", _raise(PermissionDenied())),
    path("boom/404/", _raise(Http404())),
    path("boom/500/", _raise(RuntimeError("server bug"))),
    *urlpatterns,
]


def _count_users(request):
    from django.http import HttpResponse

    from enrollment.models import User

    return HttpResponse(f"users={User.objects.count()}")


urlpatterns.insert(0, path("db/", _count_users))
