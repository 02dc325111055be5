from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "enrollment"
    verbose_name = "参保登记"

    def ready(self):
        from . import changes  # noqa: F401  (the change-marker signals)
