"""The benefits app: the policy layer built on the enrollment registry."""
from importlib import import_module

from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "benefits"
    verbose_name = "待遇政策"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from enrollment.changes import mark_inputs_changed

        def claims_changed(sender, instance, **kwargs):
            # Claims feed the zero-claim credit: the next incremental recalculation must see it.
            mark_inputs_changed([instance.person_id])

        for signal in (post_save, post_delete):
            signal.connect(claims_changed, sender="benefits.ClaimSummary",
                           dispatch_uid=f"claims_inputs_changed_{signal is post_save}", weak=False)
        # Importing the module connects its receiver: benefit rows follow a merged file.
        import_module(f"{self.name}.signals")
