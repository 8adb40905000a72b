from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "custcare.workflow"
    label = "workflow"
    verbose_name = "Workflow and sync requests"
