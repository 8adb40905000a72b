from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "custcare.fieldwork"
    label = "fieldwork"
    verbose_name = "Field work"

    def ready(self) -> None:
        from custcare.fieldwork import (  # noqa: F401  (CCAL-FAERMSG, field-activity-message)
            alerts,
            events,
            records,
        )
