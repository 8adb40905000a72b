from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "custcare.billing"
    label = "billing"
    verbose_name = "Billing"
