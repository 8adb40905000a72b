from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "custcare.workflow"
    label = "workflow"
    verbose_name = "Workflow and sync requests"

    def ready(self) -> None:
        from custcare.workflow import alerts, records  # noqa: F401  (registers the record kinds and alert types)
