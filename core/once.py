"""Single-use form tokens: a write form submitted twice writes once.

Each rendering of a write form carries a fresh signed token (`{% form_token %}` or
`attach(form)`); the view, wrapped in `@single_use("name")`, stores the token when the POST
arrives. The unique column decides atomically between two identical requests: the second finds
the token taken, writes nothing, and is sent to where the first one led with
"该表单已提交，请勿重复提交". A submission that did not go through (the form came back with
errors, or the write failed) gives its token back, so correcting and resending works.

A POST without a token (scripts, old pages) is served as before; the one door still refuses
what must never be written twice.
"""
from __future__ import annotations

import functools
import hashlib
import secrets

from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.shortcuts import redirect

FIELD = "form_token"
REPLAY_MESSAGE = "该表单已提交，请勿重复提交"
EXPIRED_MESSAGE = "页面已过期，请重新填写后提交"
MAX_AGE = 24 * 3600  # seconds a rendered form stays submittable; the sweep keeps rows longer
_SALT = "canbao.form-token"


def issue() -> str:
    return signing.TimestampSigner(salt=_SALT).sign(secrets.token_urlsafe(18))


def attach(form) -> None:
    """Give a crispy form that renders its own <form> tag a token."""
    from crispy_forms.layout import Hidden

    form.helper.add_input(Hidden(FIELD, issue()))


def token_of(request) -> str | None:
    """The key of this submission: the form's token, or `None` when it has none."""
    value = request.POST.get(FIELD)
    if not value:
        return None
    signing.TimestampSigner(salt=_SALT).unsign(value, max_age=MAX_AGE)  # BadSignature
    return hashlib.sha256(value.encode()).hexdigest()


def single_use(form_name: str, key=token_of):
    """Decorate a view whose POST writes. `key(request)` names the submission (default: the
    form token); a redirect answer counts as done, anything else gives the key back."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method != "POST":
                return view(request, *args, **kwargs)
            try:
                token = key(request)
            except signing.BadSignature:
                messages.error(request, EXPIRED_MESSAGE)
                return redirect(request.get_full_path())
            if token is None:
                return view(request, *args, **kwargs)
            claimed = _claim(token, form_name, request.user)
            if claimed is None:
                return _replayed(request, token)
            try:
                response = view(request, *args, **kwargs)
            except BaseException:
                _release(claimed)
                raise
            if response.status_code in (301, 302, 303):
                _done(claimed, response["Location"])
            else:
                _release(claimed)
            return response

        return wrapped

    return decorate


def _claim(token: str, form_name: str, user):
    from .models import SubmittedForm

    try:
        with transaction.atomic():
            return SubmittedForm.objects.create(token=token, form=form_name,
                                                user_id=getattr(user, "pk", None)).pk
    except IntegrityError:
        return None


def _done(pk: int, url: str) -> None:
    from .models import SubmittedForm

    SubmittedForm.objects.filter(pk=pk).update(result_url=url[:500])


def _release(pk: int) -> None:
    from .models import SubmittedForm

    SubmittedForm.objects.filter(pk=pk, result_url="").delete()


def _replayed(request, token: str):
    from .models import SubmittedForm

    row = SubmittedForm.objects.filter(token=token).values("result_url", "user_id").first()
    messages.warning(request, REPLAY_MESSAGE)
    same_user = row and row["user_id"] == getattr(request.user, "pk", None)
    return redirect(row["result_url"] if same_user and row["result_url"]
                    else request.get_full_path())


def sweep(*, older_than_seconds: int = 2 * MAX_AGE) -> int:
    """Forget submissions older than any token that could still be sent again."""
    import datetime as dt

    from django.utils import timezone

    from .models import SubmittedForm

    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    return SubmittedForm.objects.filter(submitted_at__lt=cutoff).delete()[0]
