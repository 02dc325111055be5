from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "账号与审计"

    def ready(self):
        from . import signals  # noqa: F401  (login, logout, lockout and permission audit)
