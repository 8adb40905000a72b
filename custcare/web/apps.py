from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "custcare.web"
    label = "web"
    verbose_name = "CSR web interface"
