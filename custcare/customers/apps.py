from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "custcare.customers"
    label = "customers"
    verbose_name = "Customers"
