from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "custcare.events"
    label = "events"
    verbose_name = "System events"
