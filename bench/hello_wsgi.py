"""The site's WSGI application with one more page, /bench/hello/, for bench/load.py's ceiling.

The hello page is the best simple alternative to the real pages: the same gunicorn recipe, the
same middleware (session, signed-in user, account gate, headers), the same signed-in staff, and
a constant body instead of a page's queries and template. What the page mix reaches relative to
it is what the pages themselves cost. Never deployed: only bench/load.py starts it."""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

from django.contrib.auth.decorators import login_required  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import clear_url_caches, path  # noqa: E402

from bench.load import HELLO_PATH  # noqa: E402
from config import urls  # noqa: E402


@login_required
def hello(request):
    return HttpResponse("hello", content_type="text/plain; charset=utf-8")


urls.urlpatterns.insert(0, path(HELLO_PATH.strip("/") + "/", hello))
clear_url_caches()
