from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "custcare.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        # Importing registers the autopay-updated event kind, C1-EXPCCNOTICE and the expiry batch program.
        from custcare.payments import batch, events  # noqa: F401
