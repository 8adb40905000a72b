from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "custcare.programs"
    label = "programs"
    verbose_name = "Programs"

    def ready(self) -> None:
        from custcare.programs import events  # noqa: F401  (registers the event kinds and algorithms)
