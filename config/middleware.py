"""Response headers for pages that carry personal data."""
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in user.

    Pages, exports and JSON for staff carry ID numbers, hardship status and insurance data; a
    shared village office computer or a proxy must not keep a copy. Marking every authenticated
    response is simpler and safer than remembering it per view. Views that set their own
    Cache-Control keep it; static files never reach here (WhiteNoise answers them first, and the
    prefix check covers the development server).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not response.has_header("Cache-Control")
            and not request.path.startswith(self.static_prefix)
        ):
            response["Cache-Control"] = "private, no-store"
        return response


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp with one allowance: the admin's own templates (Django, import-export,
    simple-history) still carry a few inline `style` attributes and blocks. Scripts stay
    `'self'` everywhere; only inline styles are let through, and only under the admin."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path.startswith("/admin/") and parts.update is None:
            parts.update = {"style-src": ["'unsafe-inline'"]}
        return parts
