from django.apps import AppConfig


class ControlCentralConfig(AppConfig):
    name = "custcare.controlcentral"
    label = "controlcentral"
    verbose_name = "Control Central"

    def ready(self) -> None:
        from custcare.controlcentral import builtin_alerts, timeline  # noqa: F401  (registers the algorithm types)
