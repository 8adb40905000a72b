from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "custcare.contacts"
    label = "contacts"
    verbose_name = "Customer contacts"
