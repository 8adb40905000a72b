"""Submitting the runs of batch schedules that are due (the nightly runs).

A schedule is due on a day when it is enabled, the day is one of its weekdays, its time of day has
passed (in TIME_ZONE) and it has not been submitted for that day. Claiming the day is a conditional
UPDATE of `last_submitted_for` in the same transaction as the submission, so two schedulers running
at once submit each schedule once per day: the second UPDATE finds the day already taken and changes
no row. A schedule whose submission is refused (bad parameters) keeps its day unclaimed and is
reported on every pass until an administrator corrects it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from custcare.batch.models import BatchRun, BatchSchedule
from custcare.batch.services import batch_run_submit
from custcare.core.errors import DomainError

log = logging.getLogger(__name__)


@dataclass
class SchedulePass:
    submitted: list[BatchRun] = field(default_factory=list)
    refused: list[tuple[BatchSchedule, str]] = field(default_factory=list)


def batch_schedules_due(*, now: dt.datetime | None = None) -> list[BatchSchedule]:
    local = timezone.localtime(now or timezone.now())
    today = local.date()
    candidates = BatchSchedule.objects.filter(enabled=True, time_of_day__lte=local.time()).filter(
        Q(last_submitted_for__isnull=True) | Q(last_submitted_for__lt=today)
    )
    weekday = str(today.isoweekday())
    return [s for s in candidates.select_related("control") if weekday in s.weekdays]


def batch_schedules_submit_due(*, user: Any, now: dt.datetime | None = None) -> SchedulePass:
    """Submit one run for each due schedule, for today's process date (in TIME_ZONE), and return them.
    The caller launches them (the scheduler command does, with each run's executor)."""
    today = timezone.localtime(now or timezone.now()).date()
    result = SchedulePass()
    for schedule in batch_schedules_due(now=now):
        try:
            with transaction.atomic():
                claimed = (
                    BatchSchedule.objects.filter(pk=schedule.pk, enabled=True)
                    .filter(Q(last_submitted_for__isnull=True) | Q(last_submitted_for__lt=today))
                    .update(last_submitted_for=today)
                )
                if not claimed:
                    continue  # another scheduler took this day first
                run = batch_run_submit(
                    control_code=schedule.control_id,
                    process_date=today,
                    user=user,
                    thread_count=schedule.thread_count,
                    parameters=schedule.parameters,
                    executor=schedule.executor,
                )
        except DomainError as exc:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items())
            reason = f"{exc.message} {details}".strip()
            log.error("Schedule %s was not submitted: %s", schedule, reason)
            result.refused.append((schedule, reason))
            continue
        result.submitted.append(run)
    return result
