from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "custcare.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        # Registers the record kinds, the central alert algorithm types and the timeline sources.
        from custcare.billing import alerts, records, timeline  # noqa: F401
