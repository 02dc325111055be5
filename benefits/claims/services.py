"""Claims summaries upload: read a CSV/XLSX file, preview every bad row, then write all rows (when
all are valid) or only the valid ones, with the rest downloadable as an error file."""
from __future__ import annotations

import tablib
from django.core.exceptions import ValidationError

from core import uploads
from core.exports import Sheet
from enrollment.audit import audit_record
from enrollment.models import AuditEntry

from .resources import HEADERS, ClaimSummaryResource, row_errors


def read_dataset(content: bytes, name: str) -> tablib.Dataset:
    """The file as a dataset; raises ValidationError (Chinese) when it cannot be read."""
    try:
        data = uploads.read_table(content, name).dataset()
    except uploads.UploadError as exc:
        raise ValidationError(exc.messages) from None
    headers = list(data.headers or [])
    missing = [h for h in HEADERS.values() if h not in headers and h != HEADERS["used_incentive"]]
    if missing:
        raise ValidationError("缺少列：" + "、".join(missing) + "。请使用模板的表头。")
    if HEADERS["used_incentive"] not in headers:
        data.append_col(["否"] * len(data), header=HEADERS["used_incentive"])
    if not len(data):
        raise ValidationError("文件中没有数据行。")
    return data


# Staged between preview and confirm under a random name bound to the user; abandoned files
# expire and are swept (core.uploads).
store, load, discard = uploads.stage, uploads.load, uploads.discard


def preview(*, user, dataset: tablib.Dataset) -> dict:
    """Dry run: nothing is written. Returns counts and every bad row."""
    result = ClaimSummaryResource(user=user).import_data(dataset, dry_run=True, raise_errors=False)
    bad = row_errors(result)
    bad_lines = {row["line"] for row in bad}
    return {"total": len(dataset), "bad": bad, "valid": len(dataset) - len(bad_lines),
            "totals": dict(result.totals)}


def claims_import(*, actor, dataset: tablib.Dataset, only_valid: bool, request=None) -> dict:
    """Write the rows: all of them (refused while any is bad) or only the valid ones."""
    checked = preview(user=actor, dataset=dataset)
    if checked["bad"] and not only_valid:
        raise ValidationError("文件中有错误行，请改正后重新上传，或选择“仅导入有效行”。")
    bad_lines = {row["line"] for row in checked["bad"]}
    if bad_lines:
        keep = tablib.Dataset(headers=dataset.headers)
        for i, row in enumerate(dataset, start=2):
            if i not in bad_lines:
                keep.append(row)
        dataset = keep
    written = {"new": 0, "update": 0, "skip": 0}
    if len(dataset):
        result = ClaimSummaryResource(user=actor).import_data(dataset, dry_run=False,
                                                             raise_errors=True)
        written = {k: result.totals.get(k, 0) for k in written}
    audit_record(user=actor, action=AuditEntry.Action.IMPORT,
                 detail=f"导入年度报销汇总：新增{written['new']}行，更新{written['update']}行，"
                        f"未变{written['skip']}行，跳过错误行{len(bad_lines)}行",
                 request=request)
    return {**written, "rejected": len(bad_lines)}


def error_sheet(bad: list[dict], headers: list[str]) -> Sheet:
    """The bad rows as they were uploaded, with the reasons in a last column."""
    rows = [[row["line"], *[str(v) if v is not None else "" for v in row["values"]],
             "；".join(row["messages"])] for row in bad]
    return Sheet(title="错误行", header=["行号", *headers, "错误原因"], rows=rows,
                 last_column_fill="FDE2E1")


# The example row's number is a well-formed ID (its check digit is right), so the example
# passes every check but "not registered" — replace it with a real one.
TEMPLATE_EXAMPLE_ID = "430121198005010018"


def template_sheet() -> Sheet:
    return Sheet(title="年度报销汇总", header=list(HEADERS.values()),
                 rows=[[TEMPLATE_EXAMPLE_ID, 2025, "0", "否"]], widths=[22] * 4)
