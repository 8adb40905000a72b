"""Batch controls, runs, threads, checkpoints and errors.

A batch control names a program and its defaults. Submitting it creates a run (control + run number)
for a process date; the run is split into threads over key ranges; each thread processes its range in
chunks, and each chunk commits together with its checkpoint, so a failed or killed run restarts under
the same run number from the last checkpoint and never does a chunk twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class BatchControl(models.Model):
    code = models.CharField(max_length=30, primary_key=True)
    description = models.CharField(max_length=120)
    program = models.CharField(max_length=40, help_text="The registered batch program this control runs.")
    next_run_number = models.PositiveIntegerField(default=1)
    default_thread_count = models.PositiveSmallIntegerField(default=1)
    chunk_size = models.PositiveIntegerField(default=1000, help_text="Records per commit (the commit interval).")
    max_errors = models.PositiveIntegerField(default=100, help_text="The run stops in error beyond this many.")
    parameters = models.JSONField(default=dict, blank=True, help_text="Default parameter values.")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.description}"


class BatchRun(models.Model):
    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        RUNNING = "RUNNING", "Running"
        COMPLETE = "COMPLETE", "Complete"
        ERROR = "ERROR", "Error"
        CANCELED = "CANCELED", "Canceled"

    control = models.ForeignKey(BatchControl, on_delete=models.PROTECT, related_name="runs")
    run_number = models.PositiveIntegerField()
    process_date = models.DateField()
    parameters = models.JSONField(default=dict, blank=True)
    thread_count = models.PositiveSmallIntegerField(default=1)
    chunk_size = models.PositiveIntegerField(default=1000)
    max_errors = models.PositiveIntegerField(default=100)
    executor = models.CharField(max_length=12, default="inprocess")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="How many times the run was started.")
    records_processed = models.BigIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["control", "run_number"], name="batch_run_number")]

    def __str__(self) -> str:
        return f"{self.control_id} run {self.run_number} ({self.process_date}, {self.get_status_display()})"


class BatchThread(models.Model):
    """One slice of a run: the integer keys in (key_lo, key_hi], processed in chunks from `checkpoint`."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        RUNNING = "RUNNING", "Running"
        COMPLETE = "COMPLETE", "Complete"
        ERROR = "ERROR", "Error"
        CANCELED = "CANCELED", "Canceled"

    run = models.ForeignKey(BatchRun, on_delete=models.CASCADE, related_name="threads")
    thread_number = models.PositiveSmallIntegerField()
    key_lo = models.BigIntegerField(help_text="Exclusive lower bound of the thread's keys.")
    key_hi = models.BigIntegerField(help_text="Inclusive upper bound of the thread's keys.")
    checkpoint = models.BigIntegerField(help_text="Keys up to and including this one are done.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    records_processed = models.BigIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    worker = models.CharField(max_length=120, blank=True, help_text="host:pid of the process running it.")
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    message = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["run_id", "thread_number"]
        constraints = [models.UniqueConstraint(fields=["run", "thread_number"], name="batch_thread_number")]

    def __str__(self) -> str:
        return f"thread {self.thread_number} of {self.run}"


class BatchError(models.Model):
    """A record a run could not process, with the reason; the run goes on until max_errors."""

    run = models.ForeignKey(BatchRun, on_delete=models.CASCADE, related_name="errors")
    thread_number = models.PositiveSmallIntegerField(default=0)
    record_key = models.CharField(max_length=40, blank=True)
    message = models.CharField(max_length=500)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.run}: {self.record_key} {self.message}"


class BatchSchedule(models.Model):
    """Submit a control every day at a time (the nightly run), for the day's process date."""

    control = models.ForeignKey(BatchControl, on_delete=models.CASCADE, related_name="schedules")
    time_of_day = models.TimeField(help_text="Local time (TIME_ZONE) at which the run is submitted.")
    weekdays = models.CharField(max_length=7, default="1234567", help_text="ISO weekdays: 1 = Monday ... 7 = Sunday.")
    thread_count = models.PositiveSmallIntegerField(null=True, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    executor = models.CharField(max_length=12, default="inprocess")
    enabled = models.BooleanField(default=True)
    last_submitted_for = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["control_id", "time_of_day"]

    def __str__(self) -> str:
        return f"{self.control_id} at {self.time_of_day:%H:%M}"
