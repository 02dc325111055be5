"""The monthly comparison pages (部门比对): upload another department's list, preview what it
would change, apply it; and the lists' templates. Thin views over enrollment/reconciliation.py."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from core import once
from core.exports import Sheet, xlsx_response
from core.once import single_use

from . import scope
from .views import form_error


RECONCILE_SALT = "canbao.reconcile"


@login_required
@single_use("reconcile", key=lambda request: _reconcile_key(request))
def reconcile(request):
    """Upload a list, see every row checked, then apply the rows that matched."""
    from django.core import signing

    from . import reconciliation
    from .forms import ReconciliationUploadForm

    scope.require_write(request.user)
    if request.method == "POST" and "payload" in request.POST:
        try:
            data = signing.loads(request.POST["payload"], salt=RECONCILE_SALT, max_age=3600)
        except signing.BadSignature:
            messages.error(request, "比对结果已过期或被修改，请重新上传文件。")
            return redirect("reconcile")
        rows = reconciliation.rows_from_json(data["rows"])
        try:
            applied = reconciliation.apply(actor=request.user, kind=data["kind"], rows=rows,
                                           request=request)
        except ValidationError as exc:  # nothing was applied (one transaction)
            messages.error(request, "未处理任何行：" + "；".join(exc.messages))
            return redirect("reconcile")
        messages.success(request, f"已处理 {applied} 行。")
        return redirect("reconcile")
    form = ReconciliationUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "kinds": reconciliation.KINDS}
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        try:
            table = reconciliation.read_table(form.cleaned_data["file"])
            rows = reconciliation.preview(actor=request.user, kind=kind, table=table,
                                          today=timezone.localdate())
        except ValidationError as exc:
            form_error(form, exc)
        else:
            context.update(kind=kind, rows=rows, kind_label=reconciliation.KINDS[kind][0],
                           counts={s: sum(r.status == s for r in rows)
                                   for s in ("ok", "skip", "error")},
                           payload=signing.dumps({"kind": kind, "rows":
                                                  reconciliation.rows_to_json(rows)},
                                                 salt=RECONCILE_SALT, compress=True))
    return render(request, "enrollment/reconcile.html", context)


def _reconcile_key(request) -> str | None:
    """The confirm step is keyed by its signed payload: the same rows applied once, also when a
    client resends the payload without the page's token."""
    import hashlib

    payload = request.POST.get("payload")
    if payload:
        return hashlib.sha256(payload.encode()).hexdigest()
    return once.token_of(request)


@login_required
def reconcile_template(request, kind):
    """An empty Excel file with the header the upload expects."""
    from . import reconciliation

    if kind not in reconciliation.KINDS:
        from django.http import Http404

        raise Http404
    label, header = reconciliation.KINDS[kind]
    return xlsx_response(f"{label}模板.xlsx", Sheet(title=label, header=header, rows=[]))
