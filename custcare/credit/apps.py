from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "custcare.credit"
    label = "credit"
    verbose_name = "Credit and collections"

    def ready(self) -> None:
        from custcare.credit import alerts, records  # noqa: F401  (registers the record kinds and alert types)
