"""The policy layer, built on the enrollment registry (it never imports outreach or dashboards).

`rules/` is the pure engine; `inputs` turns a person's file into a case for it; `services` writes
determinations and the guided special cases; `models/`, `forms/`, `views/` and `admin/` are
packages by subject; `recalc/` is the January recalculation; `claims/` the claims summaries upload.
"""
