"""The claims summaries upload: what the fund paid per person and year, read from a CSV or Excel
file, previewed with every bad row explained in Chinese, then imported as ClaimSummary rows.

- `resources`: the django-import-export resource (keyed by ID number and year) and its widgets,
  shared with the admin import.
- `services`: read, stage, preview and import an upload; the error and template workbooks.
- `forms`, `views`: the upload, preview and confirm pages.
"""
