from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboards"
    verbose_name = "数据看板"

    def ready(self):
        # dashboards is the top of the dependency graph: it listens to the registry, the
        # registry never calls it.
        from django.db.models.signals import post_save
        from import_export.signals import post_import

        from enrollment.models import Enrollment

        from . import signals

        post_save.connect(signals.enrollment_saved, sender=Enrollment,
                          dispatch_uid="dashboards_enrollment_saved")
        post_import.connect(signals.rows_imported, dispatch_uid="dashboards_rows_imported")
