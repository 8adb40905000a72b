"""Customer contacts: why a customer contacted the utility, or the utility the customer."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from custcare.algorithms.models import PluggedAlgorithm
from custcare.algorithms.registry import Spot
from custcare.core.models import CodeTable
from custcare.customers.models import Account, Division, Person, Premise, cis_id_field


class Usage(models.TextChoices):
    REQUIRED = "REQ", "Required"
    OPTIONAL = "OPT", "Optional"
    NOT_ALLOWED = "NA", "Not allowed"


class ContactMethod(models.TextChoices):
    PHONE = "PHONE", "Phone"
    POSTAL = "POSTAL", "Postal"
    EMAIL = "EMAIL", "Email"
    FAX = "FAX", "Fax"
    SMS = "SMS", "SMS"
    NOT_APPLICABLE = "NA", "Not applicable"


class Direction(models.TextChoices):
    INBOUND = "IN", "From the customer"
    OUTBOUND = "OUT", "To the customer"


class ContactClass(CodeTable):
    class Meta(CodeTable.Meta):
        verbose_name_plural = "contact classes"


class CharacteristicType(CodeTable):
    """A kind of extra fact recorded on a contact (meter number, complaint reason, ...)."""

    class ValueType(models.TextChoices):
        FREE = "FREE", "Free text"
        LIST = "LIST", "One of a list"
        NUMBER = "NUM", "Number"
        DATE = "DATE", "Date"

    value_type = models.CharField(max_length=4, choices=ValueType.choices, default=ValueType.FREE)
    allowed_values = models.JSONField(
        default=list, blank=True, help_text='For \'one of a list\': the values allowed, e.g. ["HIGH", "LOW"].'
    )

    def clean(self) -> None:
        if self.value_type == self.ValueType.LIST and not self.allowed_values:
            raise ValidationError({"allowed_values": "A list characteristic needs at least one allowed value."})
        if not isinstance(self.allowed_values, list) or not all(isinstance(v, str) for v in self.allowed_values):
            raise ValidationError({"allowed_values": "Allowed values are a list of strings."})

    def value_error(self, value: str) -> str | None:
        """Why `value` is not a valid value of this type, or None."""
        if self.value_type == self.ValueType.LIST and value not in self.allowed_values:
            return f"'{value}' is not one of {', '.join(self.allowed_values)}."
        if self.value_type == self.ValueType.NUMBER and not re.fullmatch(r"-?\d+(\.\d+)?", value):
            return f"'{value}' is not a number."
        if self.value_type == self.ValueType.DATE:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                return f"'{value}' is not a date (YYYY-MM-DD)."
        return None


class ContactTypeQuerySet(models.QuerySet["ContactType"]):
    def active(self) -> ContactTypeQuerySet:
        return self.filter(active=True)


class ContactType(models.Model):
    """Customer Contact Type, keyed by class + type, with the rules every contact of it follows."""

    class Action(models.TextChoices):
        NONE = "NONE", "None"
        SEND_LETTER = "LETTER", "Send letter"

    contact_class = models.ForeignKey(ContactClass, on_delete=models.PROTECT, related_name="types")
    type_code = models.CharField("type", max_length=20)
    description = models.CharField(max_length=120)
    shorthand = models.CharField(
        max_length=250, blank=True, help_text="Text entered as the description for one-click entry."
    )
    division = models.ForeignKey(Division, null=True, blank=True, on_delete=models.PROTECT)
    person_usage = models.CharField(max_length=3, choices=Usage.choices, default=Usage.REQUIRED)
    account_usage = models.CharField(max_length=3, choices=Usage.choices, default=Usage.OPTIONAL)
    premise_usage = models.CharField(max_length=3, choices=Usage.choices, default=Usage.OPTIONAL)
    contact_action = models.CharField(max_length=6, choices=Action.choices, default=Action.NONE)
    letter_template = models.CharField(
        max_length=30, blank=True, help_text="Letter template code; required when the action is Send letter."
    )
    reminder_role = models.CharField("reminder To Do role", max_length=30, blank=True)
    reminder_days = models.PositiveSmallIntegerField(
        "days until reminder", null=True, blank=True, help_text="Default trigger date offset for reminders."
    )
    default_method = models.CharField(max_length=6, choices=ContactMethod.choices, default=ContactMethod.PHONE)
    default_open = models.BooleanField("open by default", default=False)
    active = models.BooleanField(default=True)

    objects = ContactTypeQuerySet.as_manager()

    class Meta:
        ordering = ["contact_class_id", "type_code"]
        constraints = [
            models.UniqueConstraint(fields=["contact_class", "type_code"], name="contact_type_key"),
            models.CheckConstraint(
                condition=~(models.Q(person_usage="NA") & models.Q(premise_usage="NA")),
                name="person_or_premise_allowed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_class_id}/{self.type_code} – {self.description}"

    @property
    def premise_based(self) -> bool:
        return self.person_usage == Usage.NOT_ALLOWED

    def clean(self) -> None:
        if self.person_usage == Usage.NOT_ALLOWED and self.premise_usage == Usage.NOT_ALLOWED:
            raise ValidationError("Person and premise usage cannot both be Not allowed.")
        if self.contact_action == self.Action.SEND_LETTER and not self.letter_template:
            raise ValidationError({"letter_template": "A Send letter contact type needs a letter template."})


class ContactTypeCharacteristic(models.Model):
    contact_type = models.ForeignKey(ContactType, on_delete=models.CASCADE, related_name="characteristics")
    char_type = models.ForeignKey(CharacteristicType, on_delete=models.PROTECT)
    required = models.BooleanField(default=False)
    default_value = models.CharField(max_length=120, blank=True)
    sequence = models.PositiveSmallIntegerField(default=10)

    class Meta:
        ordering = ["sequence", "id"]
        constraints = [models.UniqueConstraint(fields=["contact_type", "char_type"], name="cctype_char_once")]

    def __str__(self) -> str:
        return f"{self.char_type_id}{' (required)' if self.required else ''}"

    def clean(self) -> None:
        if self.default_value and self.char_type_id:
            error = self.char_type.value_error(self.default_value)
            if error:
                raise ValidationError({"default_value": error})


class ContactTypeAlgorithm(PluggedAlgorithm):
    """An algorithm plugged into a contact type's validation spot, run in sequence order."""

    contact_type = models.ForeignKey(ContactType, on_delete=models.CASCADE, related_name="algorithms")
    spot = models.CharField(
        max_length=20,
        default=Spot.CONTACT_VALIDATION.value,
        choices=[(Spot.CONTACT_VALIDATION.value, "Validate contact")],
    )

    class Meta:
        ordering = ["spot", "sequence", "id"]


class CustomerContact(models.Model):
    """One contact between the customer and the utility. Never deleted; corrected through log entries."""

    class Origin(models.TextChoices):
        USER = "USER", "Entered by a user"
        ALGORITHM = "ALG", "Created by an algorithm"
        EVENT = "EVENT", "Created by a system event"

    id = cis_id_field()
    contact_datetime = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    contact_class = models.ForeignKey(ContactClass, on_delete=models.PROTECT)
    contact_type = models.ForeignKey(ContactType, on_delete=models.PROTECT)
    # Indexed by the (person|account|premise, date, id) indexes below, which give a customer's contacts
    # newest first; a plain index beside them tempts the planner to read and sort them all.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts", db_index=False
    )
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts", db_index=False
    )
    premise = models.ForeignKey(
        Premise, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts", db_index=False
    )
    method = models.CharField(max_length=6, choices=ContactMethod.choices)
    contact_detail = models.CharField(
        max_length=200, blank=True, help_text="The phone number, email or address used, as it was then."
    )
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.INBOUND)
    is_open = models.BooleanField("open", default=False, help_text="The customer's issue is not yet resolved.")
    description = models.TextField(blank=True)
    origin = models.CharField(max_length=5, choices=Origin.choices, default=Origin.USER)
    origin_reference = models.CharField(max_length=80, blank=True)
    print_letter = models.BooleanField(default=False)
    letter_template = models.CharField(max_length=30, blank=True)
    letter_printed_at = models.DateTimeField(null=True, blank=True)
    letter_suppressed = models.BooleanField(default=False)
    letter_reprint = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-contact_datetime", "-id"]
        # A system event creates one contact per person (or per premise, for premise-based types).
        constraints = [
            models.UniqueConstraint(
                fields=["origin_reference", "person"],
                condition=~models.Q(origin="USER") & ~models.Q(origin_reference="") & models.Q(person__isnull=False),
                name="cc_generated_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["origin_reference", "premise"],
                condition=~models.Q(origin="USER") & ~models.Q(origin_reference="") & models.Q(person__isnull=True),
                name="cc_generated_once_per_premise",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "-contact_datetime", "-id"], name="cc_person_date_idx"),
            models.Index(fields=["account", "-contact_datetime", "-id"], name="cc_account_date_idx"),
            models.Index(fields=["premise", "-contact_datetime", "-id"], name="cc_premise_date_idx"),
        ]

    def __str__(self) -> str:
        return f"Contact {self.id} {self.contact_class_id}/{self.contact_type.type_code}"


class ContactCharacteristic(models.Model):
    # no index of its own: the unique (contact, char_type) index serves lookups by contact
    contact = models.ForeignKey(
        CustomerContact, on_delete=models.CASCADE, related_name="characteristics", db_index=False
    )
    char_type = models.ForeignKey(CharacteristicType, on_delete=models.PROTECT)
    value = models.CharField(max_length=120)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["contact", "char_type"], name="contact_char_once")]

    def __str__(self) -> str:
        return f"{self.char_type_id}={self.value}"


class ContactLogEntry(models.Model):
    """An append-only note on a contact: a user's comment, a correction, or a lifecycle event."""

    class Kind(models.TextChoices):
        NOTE = "NOTE", "Note"
        CORRECTION = "CORR", "Correction"
        CREATED = "NEW", "Created"
        CLOSED = "CLOSE", "Issue resolved"
        REOPENED = "REOPEN", "Issue reopened"
        SYSTEM = "SYS", "System"

    contact = models.ForeignKey(CustomerContact, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=6, choices=Kind.choices, default=Kind.NOTE)
    comment = models.TextField()
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "contact log entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class Reminder(models.Model):
    """A follow-up logged on a contact (step 1.5): on its trigger date the TD-CCCB batch turns it into a
    To Do entry for a user or a role (1.8); completing that To Do resolves it (1.9)."""

    class State(models.TextChoices):
        PENDING = "PENDING", "Pending"
        SENT = "SENT", "To Do created"
        RESOLVED = "RESOLVED", "Resolved"
        CANCELED = "CANCELED", "Canceled"

    contact = models.ForeignKey(CustomerContact, on_delete=models.CASCADE, related_name="reminders")
    log_entry = models.OneToOneField(ContactLogEntry, on_delete=models.PROTECT, related_name="reminder")
    send_to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    send_to_role = models.ForeignKey(
        "todo.ToDoRole", null=True, blank=True, on_delete=models.PROTECT, related_name="reminders", db_index=False
    )
    trigger_date = models.DateField()
    comment = models.TextField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["trigger_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(send_to_user__isnull=False) | models.Q(send_to_role__isnull=False),
                name="reminder_has_recipient",
            )
        ]
        # TD-CCCB walks the pending reminders in id order and reads only this index.
        indexes = [
            models.Index(
                fields=["id", "trigger_date"], name="reminder_pending_idx", condition=models.Q(state="PENDING")
            )
        ]

    def __str__(self) -> str:
        return f"Reminder on {self.contact_id} for {self.trigger_date}"
