"""Nobody's domain: the calendar of coverage years, the one Excel/CSV builder, the one upload
reader and its staging. Imports no project app, so every app may build on it."""
