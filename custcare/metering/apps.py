from django.apps import AppConfig


class MeteringConfig(AppConfig):
    name = "custcare.metering"
    label = "metering"
    verbose_name = "Metering"

    def ready(self) -> None:
        from custcare.metering import events  # noqa: F401  (registers the meter-read event and MRRCRESVCCC)
