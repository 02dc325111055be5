"""The benefits app: the policy layer built on the enrollment registry."""
from importlib import import_module

from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "benefits"
    verbose_name = "待遇政策"

    def ready(self):
        # Importing the module connects its receiver: benefit rows follow a merged file.
        import_module(f"{self.name}.signals")
