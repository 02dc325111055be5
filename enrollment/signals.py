"""Signals the registry sends to the apps built on it.

`person_merge_rows` lets outreach and benefits move their own rows when two files of one person
are merged, without the registry importing them (dependencies point one way: enrollment knows
nothing above it). A Django signal rather than a generic walk over `_meta.related_objects`:
each app knows its own uniqueness rules (one ledger entry per person, year and side; one claims
summary per person and year) and decides what happens to a row the surviving file already has.

Receivers are called with `survivor`, `merged` (Person), `apply` (bool) and `actor` (the user
merging, for the receivers' own audit rows), inside the merge's
transaction, and return a list of (label, count) describing their rows that move; with
`apply=False` they only count (the preview), with `apply=True` they move them. A receiver that
raises refuses the whole merge (nothing is written).
"""
from django.dispatch import Signal

person_merge_rows = Signal()
