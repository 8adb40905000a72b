from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "custcare.demo"
    label = "demo"
    verbose_name = "Reference data, demo users and the data generator"
