"""The benefits app: the policy layer built on the enrollment registry."""
from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "benefits"
    verbose_name = "待遇政策"

    def ready(self):
        from . import signals  # noqa: F401  (moves benefit rows when two files are merged)
