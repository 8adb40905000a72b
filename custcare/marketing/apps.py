from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "custcare.marketing"
    label = "marketing"
    verbose_name = "Marketing"

    def ready(self) -> None:
        from custcare.marketing import events  # noqa: F401  (registers the event kinds and algorithms)
