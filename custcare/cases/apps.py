from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "custcare.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from custcare.cases import events  # noqa: F401  (registers the case events and CASE-CC)
