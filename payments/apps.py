from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "payments"
    verbose_name = "缴费与医保钱包"

    def ready(self):
        from django.db.models.signals import post_save

        from enrollment.models import Enrollment

        from . import signals

        post_save.connect(signals.enrollment_saved, sender=Enrollment,
                          dispatch_uid="payments_receipt_on_enrollment")
