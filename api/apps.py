from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "数据共享接口"

    def ready(self):
        # Registers the token's OpenAPI description with drf-spectacular.
        from . import schema  # noqa: F401
