"""Admin imports (django-import-export) read files the way every other upload does.

The import form reads the file through `core.uploads.read_table` (UTF-8, BOM or GB18030 CSV,
XLSX; size and row limits; a damaged file is a Chinese message, not an exception name), checks
that the key columns are there and that no key appears twice (import-export would silently merge
the two rows into one), and hands a CSV on to the import re-encoded as UTF-8, the one encoding it
reads. The confirm step accepts only a file name this session was given by its own preview.
"""
from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.exceptions import PermissionDenied
from import_export.forms import ImportForm

from core import uploads

SESSION_KEY = "admin_import_files"
FORMAT_INDEX = {".csv": "0", ".xlsx": "1"}  # settings.IMPORT_FORMATS: CSV, XLSX


class UploadImportForm(ImportForm):
    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.resource_classes = resources
        self.fields["import_file"].help_text = (
            f"{uploads.limits_text()}CSV 可为 UTF-8（含 BOM）或 GBK/GB18030 编码；"
            "第一行为表头，列名见下方。")
        self.fields["format"].required = False

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        if upload is None or self.errors:
            return cleaned
        content = upload.read()
        try:
            suffix = uploads.suffix_of(upload.name)
            table = uploads.read_table(content, upload.name)
        except uploads.UploadError as exc:
            raise forms.ValidationError({"import_file": exc.messages}) from None
        resource = self.resource_classes[int(cleaned.get("resource") or 0)]()
        problems = key_problems(resource, table)
        if problems:
            raise forms.ValidationError({"import_file": problems})
        cleaned["format"] = FORMAT_INDEX[suffix]
        if suffix == ".csv":
            text = uploads.decode_csv(content)
            cleaned["import_file"] = SimpleUploadedFile(upload.name, text.encode("utf-8"))
        else:
            upload.seek(0)
        return cleaned


def key_problems(resource, table: uploads.Table) -> list[str]:
    """Missing key columns, and key values found on more than one row (named by row)."""
    columns = [resource.fields[name].column_name for name in resource.get_import_id_fields()]
    missing = [c for c in columns if c not in table.headers]
    if missing:
        return [f"缺少列：{'、'.join(missing)}。第一行应为表头，列名见下方“此导入将使用以下字段”。"]
    positions = [table.headers.index(c) for c in columns]
    seen: dict[tuple, int] = {}
    problems = []
    for row in table.rows:
        key = tuple(str(row.values[i]).strip() if i < len(row.values) and row.values[i]
                    is not None else "" for i in positions)
        if not any(key):
            continue
        if key in seen:
            problems.append(f"第{row.number}行与第{seen[key]}行重复（{'、'.join(columns)}相同），"
                            "请删去重复的行后再导入。")
        else:
            seen[key] = row.number
    return problems[:20]


class UploadImportMixin:
    """For ModelAdmins with import-export: the form above, and a confirm step bound to the
    files this session previewed."""

    import_form_class = UploadImportForm

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        confirm = getattr(response, "context_data", {}).get("confirm_form")
        if confirm is not None:
            names = request.session.get(SESSION_KEY, [])[-9:]
            request.session[SESSION_KEY] = names + [confirm.initial["import_file_name"]]
        return response

    def process_import(self, request, **kwargs):
        name = request.POST.get("import_file_name", "")
        names = request.session.get(SESSION_KEY, [])
        if name not in names:
            raise PermissionDenied("导入文件已失效或不属于您，请重新选择文件导入。")
        request.session[SESSION_KEY] = [n for n in names if n != name]
        return super().process_import(request, **kwargs)
