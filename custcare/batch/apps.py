from django.apps import AppConfig


class BatchConfig(AppConfig):
    name = "custcare.batch"
    label = "batch"
    verbose_name = "Batch processing"
