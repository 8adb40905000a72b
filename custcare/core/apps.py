from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "custcare.core"
    label = "core"
    verbose_name = "Core (audit trail, identifiers)"
