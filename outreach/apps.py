from django.apps import AppConfig


class OutreachConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outreach"
    verbose_name = "扩面动员"

    def ready(self):
        from . import signals  # noqa: F401  (registers the enrollment receiver)
