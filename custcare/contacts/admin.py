from django.contrib import admin

from custcare.contacts.models import (
    CharacteristicType,
    ContactClass,
    ContactType,
    ContactTypeAlgorithm,
    ContactTypeCharacteristic,
)
from custcare.core.admin import AuditedAdmin


@admin.register(ContactClass)
class ContactClassAdmin(AuditedAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]


@admin.register(CharacteristicType)
class CharacteristicTypeAdmin(AuditedAdmin):
    list_display = ["code", "description", "value_type"]
    list_filter = ["value_type"]
    search_fields = ["code", "description"]


class CharacteristicInline(admin.TabularInline):
    model = ContactTypeCharacteristic
    extra = 0
    fields = ["sequence", "char_type", "required", "default_value"]


class AlgorithmInline(admin.TabularInline):
    model = ContactTypeAlgorithm
    extra = 0
    fields = ["spot", "sequence", "algorithm"]
    verbose_name = "validation algorithm"


@admin.register(ContactType)
class ContactTypeAdmin(AuditedAdmin):
    list_display = [
        "contact_class",
        "type_code",
        "description",
        "person_usage",
        "account_usage",
        "premise_usage",
        "contact_action",
        "active",
    ]
    list_filter = ["contact_class", "active", "contact_action"]
    search_fields = ["type_code", "description", "shorthand"]
    inlines = [CharacteristicInline, AlgorithmInline]
    fieldsets = [
        (None, {"fields": ["contact_class", "type_code", "description", "shorthand", "division", "active"]}),
        (
            "Usage",
            {
                "fields": ["person_usage", "account_usage", "premise_usage"],
                "description": "Whether a contact of this type names a person, an account and a premise. "
                "Person and premise cannot both be Not allowed.",
            },
        ),
        ("Defaults", {"fields": ["default_method", "default_open"]}),
        ("Contact action and letter", {"fields": ["contact_action", "letter_template"]}),
        ("Reminder defaults", {"fields": ["reminder_role", "reminder_days"]}),
    ]
