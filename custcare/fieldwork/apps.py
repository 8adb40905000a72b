from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "custcare.fieldwork"
    label = "fieldwork"
    verbose_name = "Field work"

    def ready(self) -> None:
        from custcare.fieldwork import events  # noqa: F401  (registers the event kind and algorithm)
