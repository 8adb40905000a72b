from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "custcare.credit"
    label = "credit"
    verbose_name = "Credit and collections"
