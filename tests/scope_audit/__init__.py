"""The product promise, checked over every URL of the app, one module per app.

Every page is scoped: the clerk of the neighbouring village gets a 404 for the village clerk's
people, households, enrollments, ledger entries, tasks and campaigns, by URL and by the ids a form
posts. A city leader reads everything and changes nothing (every POST is a 403, in the admin
too). Anonymous visitors go to the login page. ID numbers are masked on screen, revealing one is
audited, and admin exports (which carry whole numbers for re-import) are audited too. Bad input
(page numbers, years, region codes, ids) gives a Chinese message or a 404, never a 500.

Each app's module holds its rows of the URL table (`PAGES`) and of the other tables;
`test_urls.test_every_url_pattern_is_in_the_table` fails when a new pattern is added without a
row in one of them. The checks the tables run are in `checks.py`, the village clerk's world in
`conftest.py`.
"""
