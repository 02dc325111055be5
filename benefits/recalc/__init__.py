"""The January recalculation: every person-year's status recomputed for the new coverage year.

- `fetch`: one query per chunk gathers every person's inputs (PostgreSQL: the year statuses are
  classified in SQL over the enrollment history; SQLite: the same classification in Python).
- `compute`: the pure rules engine per person, memoised on the inputs that decide the answer.
- `write`: one set-based upsert per chunk (COPY into a temporary table, then INSERT … ON CONFLICT
  DO UPDATE … WHERE IS DISTINCT FROM), counting the rows whose values changed.
- `naive`: the per-person ORM way, for the benchmark and as a cross-check in tests.
- `services`: jobs and chunks (the only writers of RecalcJob/RecalcChunk).
"""
