"""Error pages in Chinese that say what to do.

They render from plain templates without the request's context processors, so a page still
comes out when the database (which the processors and the signed-in user need) is what failed.
"""
from django.http import (
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.template import loader


def _render(template_name, **context):
    # No request passed to render(): context processors would query the user and the scope.
    return loader.get_template(template_name).render(context)


def bad_request(request, exception=None, template_name="400.html"):
    return HttpResponseBadRequest(_render(template_name))


def permission_denied(request, exception=None, template_name="403.html"):
    return HttpResponseForbidden(_render(template_name))


def page_not_found(request, exception=None, template_name="404.html"):
    return HttpResponseNotFound(_render(template_name, request_path=request.path))


def server_error(request, template_name="500.html"):
    return HttpResponseServerError(_render(template_name))


def csrf_failure(request, reason="", template_name="403_csrf.html"):
    # The usual cause is a form left open past the session or opened in two tabs; the reason
    # itself is for the log, not the user.
    return HttpResponseForbidden(_render(template_name))
