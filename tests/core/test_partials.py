"""Shared partials: one pagination, one job progress bar."""
from django.template.loader import render_to_string
from django.test import RequestFactory


def test_pagination_keeps_every_filter_and_changes_only_the_page():
    request = RequestFactory().get("/persons/", {"q": "张", "region": "430121100001", "page": 2})
    page = {"number": 2, "has_previous": True, "has_next": True, "previous": 1, "next": 3}
    html = render_to_string("partials/pagination.html", {"page": page}, request=request)
    assert "?q=%E5%BC%A0&amp;region=430121100001&amp;page=1" in html
    assert "?q=%E5%BC%A0&amp;region=430121100001&amp;page=3" in html
    assert "第2页" in html


def test_pagination_disables_what_is_not_there():
    request = RequestFactory().get("/persons/")
    page = {"number": 1, "has_previous": False, "has_next": False, "previous": 0, "next": 2}
    html = render_to_string("partials/pagination.html", {"page": page}, request=request)
    assert html.count("page-item disabled") == 2


def test_job_progress_bar():
    html = render_to_string("partials/job_progress.html", {
        "percent": 40, "finished": False, "status": "running", "bar_id": "job-bar"})
    # No inline style (CSP): the width travels as data-percent for static/js/recalc_job.js.
    assert 'id="job-bar"' in html and 'data-percent="40"' in html and "style=" not in html and "progress-bar-animated" in html
    done = render_to_string("partials/job_progress.html", {
        "percent": 100, "finished": True, "status": "done"})
    assert "bg-success" in done and "progress-bar-animated" not in done
