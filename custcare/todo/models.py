"""To Do: work items for roles and users, created by batches and by people, worked and completed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from custcare.algorithms.models import Algorithm
from custcare.core.models import CodeTable
from custcare.customers.models import cis_id_field


class ToDoRole(models.Model):
    """A group of users who share a queue of To Do entries."""

    code = models.CharField(max_length=30, primary_key=True)
    description = models.CharField(max_length=120)
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, through="ToDoRoleUser", related_name="todo_roles")

    class Meta:
        ordering = ["code"]
        verbose_name = "To Do role"

    def __str__(self) -> str:
        return f"{self.code} – {self.description}"


class ToDoRoleUser(models.Model):
    role = models.ForeignKey(ToDoRole, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="todo_role_memberships")
    is_supervisor = models.BooleanField(default=False, help_text="May forward and complete the role's entries in bulk.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["role", "user"], name="todo_role_user_once")]

    def __str__(self) -> str:
        return f"{self.user} in {self.role_id}{' (supervisor)' if self.is_supervisor else ''}"


class SkillType(CodeTable):
    """A skill users hold at a level and To Do types may require."""


class UserSkill(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(SkillType, on_delete=models.CASCADE)
    level = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "skill"], name="user_skill_once")]

    def __str__(self) -> str:
        return f"{self.user} {self.skill_id}={self.level}"


class ToDoType(CodeTable):
    """What kind of work an entry is, who gets it by default and how it is shown."""

    class Usage(models.TextChoices):
        AUTOMATIC = "AUTO", "Automatic (created by the system)"
        MANUAL = "MAN", "Manual (created by users)"

    class DrillDown(models.TextChoices):
        CONTACT = "CONTACT", "Customer contact"
        PERSON = "PERSON", "Person"
        ACCOUNT = "ACCOUNT", "Account"

    default_priority = models.PositiveSmallIntegerField(default=50, help_text="1 is the highest, 100 the lowest.")
    usage = models.CharField(max_length=4, choices=Usage.choices, default=Usage.AUTOMATIC)
    default_role = models.ForeignKey(ToDoRole, on_delete=models.PROTECT, related_name="default_for_types")
    allowed_roles = models.ManyToManyField(ToDoRole, blank=True, related_name="allowed_for_types")
    drill_down = models.CharField(max_length=8, choices=DrillDown.choices, default=DrillDown.CONTACT)
    sort_keys = models.JSONField(
        default=list, blank=True, help_text='Worklist sort keys, e.g. ["priority", "created_at"].'
    )
    message_text = models.CharField(
        max_length=250,
        blank=True,
        help_text="Message shown on each entry; {contact}, {person}, {comment} are filled in.",
    )
    info_algorithm = models.ForeignKey(
        Algorithm,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Builds the To Do information text (CI_TDT-INFO).",
    )
    assignment_algorithm = models.ForeignKey(
        Algorithm,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Validates an assignment (CI_VAL-SKILL warns on missing skills).",
    )

    class Meta(CodeTable.Meta):
        verbose_name = "To Do type"


class ToDoTypeSkill(models.Model):
    todo_type = models.ForeignKey(ToDoType, on_delete=models.CASCADE, related_name="required_skills")
    skill = models.ForeignKey(SkillType, on_delete=models.PROTECT)
    min_level = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["todo_type", "skill"], name="todo_type_skill_once")]

    def __str__(self) -> str:
        return f"{self.skill_id} ≥ {self.min_level}"


class ToDoEntry(models.Model):
    """One piece of work. Batches insert these by the million, so the table carries only the indexes its
    queues and lookups read (foreign keys have no index of their own unless listed in Meta.indexes)."""

    class Status(models.TextChoices):
        OPEN = "O", "Open"
        BEING_WORKED_ON = "W", "Being worked on"
        COMPLETE = "C", "Complete"

    id = cis_id_field()
    todo_type = models.ForeignKey(ToDoType, on_delete=models.PROTECT, db_index=False)
    role = models.ForeignKey(ToDoRole, on_delete=models.PROTECT, related_name="entries", db_index=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="todo_entries",
        db_index=False,
    )
    status = models.CharField(max_length=1, choices=Status.choices, default=Status.OPEN)
    priority = models.PositiveSmallIntegerField(default=50)
    message = models.CharField(max_length=250, blank=True)
    reminder = models.OneToOneField(
        "contacts.Reminder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="todo_entry",
        help_text="The reminder this entry was created for.",
    )
    contact = models.ForeignKey(
        "contacts.CustomerContact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="todo_entries",
        db_index=False,
    )
    person = models.ForeignKey(
        "customers.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    account = models.ForeignKey(
        "customers.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    batch_run = models.ForeignKey(
        "batch.BatchRun", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who forwarded it last (send back returns it to them).",
        db_index=False,
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    completion_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["priority", "created_at", "id"]
        verbose_name = "To Do entry"
        verbose_name_plural = "To Do entries"
        indexes = [
            models.Index(
                fields=["role", "status", "priority", "created_at"],
                name="todo_role_queue_idx",
                condition=~Q(status="C"),
            ),
            models.Index(
                fields=["assigned_to", "status", "priority", "created_at"],
                name="todo_user_queue_idx",
                condition=~Q(status="C"),
            ),
            models.Index(fields=["contact"], name="todo_contact_idx"),
            # An account's entries newest first: Control Central's timeline.
            models.Index(fields=["account", "-created_at", "-id"], name="todo_account_created_idx"),
            # The outstanding entries of an account (Control Central's CCAL-TD alert and To Do zone).
            models.Index(fields=["account"], name="todo_account_open_idx", condition=~Q(status="C")),
        ]

    def __str__(self) -> str:
        return f"To Do {self.id} {self.todo_type_id} ({self.get_status_display()})"


class ToDoLog(models.Model):
    """Append-only history of a To Do entry: created, assigned, forwarded, sent back, noted, completed."""

    entry = models.ForeignKey(ToDoEntry, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=12)
    comment = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
