from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "custcare.agreements"
    label = "agreements"
    verbose_name = "Agreements"

    def ready(self) -> None:
        from custcare.agreements import events  # noqa: F401  (registers the agreement events, CI_UARENEW and SAAT-NB)
