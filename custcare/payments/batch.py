"""C1-ExpireCreditCardCustContact: auto-pay credit cards about to expire get an expiration notice contact.

For every active credit-card auto-pay whose card runs out (the last day of its expiry month) between
the process date and the process date plus the notice days, one contact for the account's main
customer (or the card's payer, when the algorithm says PERSON), once per card and expiry date: the
origin reference "C1-ExpireCreditCardCustContact:autopay:<id>:<YYYY-MM>" with the person is unique
among generated contacts, so a second run, a restart or a rerun for a later date never repeats a notice,
while a renewed card (new expiry) gets its own.

Per customer class: the notice days are the class's expiry_notice_days (Customer Class options), else
the run's NOTICE-DAYS; the contact's class, type, method, message... come from the C1-EXPCCNOTICE
algorithm plugged into the class at the auto-pay expiry spot, else from the class options' notice
contact type (with the run's METHOD and MESSAGE), else from the run's CONTACT-CLASS / CONTACT-TYPE. A
class with none of these makes its cards run errors.

Each chunk (a range of auto-pay ids) is a fixed handful of statements whatever its size: the error
rows, and per distinct contact configuration one INSERT ... SELECT of the contacts (ids computed in SQL
from a block of counter values) that also writes their reminders, log entries and audit entries.
"""

from __future__ import annotations

import calendar
import datetime as dt
import string
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from custcare.algorithms.models import Algorithm
from custcare.algorithms.registry import Spot
from custcare.algorithms.services import algorithm_instance
from custcare.batch.registry import BatchProgram, ChunkResult, register_batch_program
from custcare.contacts.models import ContactType, Usage
from custcare.core.errors import ValidationFailed
from custcare.core.ids import BLOCK, counter_blocks, scramble_sql
from custcare.customers.models import CustomerClass
from custcare.events.registry import ContactParams

CODE = "C1-ExpireCreditCardCustContact"
DEFAULT_NOTICE_DAYS = 30
DEFAULT_MESSAGE = "Your auto-pay {card_brand} card ending {card_last4} expires {expiry}; please send us the new card."


@dataclass(frozen=True)
class NoticeConfig:
    """What one group of customer classes' notices look like."""

    contact_type_id: int
    contact_class: str
    method: str
    direction: str
    is_open: bool
    message: str
    recipients: str
    account_allowed: bool
    print_letter: bool
    letter_template: str
    reminder_role: str
    reminder_days: int


def month_window(process_date: dt.date, days: int) -> tuple[int, int]:
    """(first, last) expiry month, as year * 12 + month, of cards whose last valid day falls within
    [process date, process date + days]."""
    limit = process_date + dt.timedelta(days=days)
    last = limit.year * 12 + limit.month
    if limit.day != calendar.monthrange(limit.year, limit.month)[1]:
        last -= 1  # a card of the limit's month is still valid after the limit
    return process_date.year * 12 + process_date.month, last


def _class_settings() -> tuple[dict[str, int | None], dict[str, Algorithm], dict[str, tuple[str, str]]]:
    """Per customer class (Customer Class options): the notice days, the first expiry-notice algorithm,
    and the default notice contact type (class, type)."""
    try:
        options = apps.get_model("marketing", "CustomerClassOptions")
        plugs = apps.get_model("marketing", "CustomerClassAlgorithm")
    except LookupError:  # the marketing app is not installed: batch parameters only
        return {}, {}, {}
    days: dict[str, int | None] = {}
    types: dict[str, tuple[str, str]] = {}
    for row in options.objects.select_related("notice_contact_type"):
        days[row.customer_class_id] = row.expiry_notice_days
        if row.notice_contact_type is not None:
            types[row.customer_class_id] = (row.notice_contact_type.contact_class_id, row.notice_contact_type.type_code)
    algorithms: dict[str, Algorithm] = {}
    for plug in (
        plugs.objects.filter(spot=Spot.AUTOPAY_EXPIRY.value)
        .select_related("algorithm")
        .order_by("customer_class_id", "sequence", "id")
    ):
        algorithms.setdefault(plug.customer_class_id, plug.algorithm)
    return days, algorithms, types


def _sql_message(template: str) -> tuple[str, list[str]]:
    """The message template as a SQL concatenation of literals (parameters) and the card's columns."""
    columns = {
        "card_brand": "d.card_brand",
        "card_last4": "d.card_last4",
        "expiry": "d.expiry_text",
        "autopay_id": "d.external_id",
        "account_id": "d.account_id",
    }
    parts: list[str] = []
    literals: list[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        parsed = [(template, None, None, None)]
    for text, name, _spec, _conv in parsed:
        if text:
            parts.append("%s")
            literals.append(text)
        if name is not None:
            if name in columns:
                parts.append(columns[name])
            else:
                parts.append("%s")
                literals.append("{" + name + "}")
    return (" || ".join(parts) or "''"), literals


@register_batch_program(CODE, description="Auto-pay credit cards about to expire: expiration notice contacts")
class ExpireCreditCardCustContact(BatchProgram):
    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid", populate_by_name=True)
        notice_days: int = Field(DEFAULT_NOTICE_DAYS, ge=0, le=366, alias="NOTICE-DAYS")
        contact_class: str | None = Field(None, alias="CONTACT-CLASS")
        contact_type: str | None = Field(None, alias="CONTACT-TYPE")
        method: str = Field("POSTAL", alias="METHOD")
        message: str = Field(DEFAULT_MESSAGE, alias="MESSAGE")
        max_errors: int | None = Field(None, ge=0, alias="MAX-ERRORS")

    def __init__(self, run: Any) -> None:
        super().__init__(run)
        params = self.params
        assert isinstance(params, self.Params)
        if params.max_errors is not None:
            run.max_errors = params.max_errors
        fallback: ContactParams | None = None
        if params.contact_class or params.contact_type:
            try:
                fallback = ContactParams.model_validate(
                    {
                        "contact_class": params.contact_class or "",
                        "contact_type": params.contact_type or "",
                        "method": params.method,
                        "message": params.message,
                    }
                )
            except PydanticError as exc:
                raise ValidationFailed(f"{CODE}: {exc}") from exc
            problems = _check(fallback)
            if problems:
                raise ValidationFailed(f"{CODE}: {problems}")
        self.user_id = _system_user_id()
        days_by_class, algorithms, notice_types = _class_settings()
        self.groups: dict[NoticeConfig, list[tuple[str, int, int]]] = {}
        self.unconfigured: list[str] = []
        self.low, self.high = 10**9, -1
        for cls in CustomerClass.objects.values_list("code", flat=True):
            contact_params = fallback
            if cls in algorithms:
                instance = algorithm_instance(algorithms[cls])
                assert isinstance(instance.params, ContactParams)
                contact_params = instance.params
            elif cls in notice_types:
                contact_params = ContactParams.model_validate(
                    {
                        "contact_class": notice_types[cls][0],
                        "contact_type": notice_types[cls][1],
                        "method": params.method,
                        "message": params.message,
                    }
                )
            if contact_params is None:
                self.unconfigured.append(cls)
                continue
            days = days_by_class.get(cls)
            lo, hi = month_window(run.process_date, params.notice_days if days is None else days)
            self.low, self.high = min(self.low, lo), max(self.high, hi)
            self.groups.setdefault(_config(contact_params), []).append((cls, lo, hi))

    def _where(self) -> str:
        return (
            "ap.active AND ap.method = 'CC' AND ap.start_date <= %(date)s"
            " AND (ap.end_date IS NULL OR ap.end_date >= %(date)s)"
            " AND ap.expiry_year * 12 + ap.expiry_month BETWEEN %(low)s AND %(high)s"
        )

    def key_bounds(self) -> tuple[int, int] | None:
        if self.high < self.low and not self.unconfigured:
            return None
        with connection.cursor() as cur:
            cur.execute(
                "SELECT MIN(ap.id), MAX(ap.id) FROM payments_autopay ap WHERE " + self._where(),
                {"date": self.run.process_date, "low": self.low_all(), "high": self.high_all()},
            )
            lo, hi = cur.fetchone()
        return None if lo is None else (lo - 1, hi)

    def low_all(self) -> int:
        # Unconfigured classes are reported for the widest window any class uses (NOTICE-DAYS at least).
        assert isinstance(self.params, self.Params)
        return min(self.low, month_window(self.run.process_date, self.params.notice_days)[0])

    def high_all(self) -> int:
        assert isinstance(self.params, self.Params)
        return max(self.high, month_window(self.run.process_date, self.params.notice_days)[1])

    def chunk_end(self, after: int, upto: int, size: int) -> int | None:
        """Auto-pay ids are dense: a chunk is a range of ids, found without a query."""
        return None if after >= upto else min(upto, after + size)

    def process_chunk(self, lo: int, hi: int) -> ChunkResult:
        errors: list[tuple[int, str]] = []
        created = 0
        with connection.cursor() as cur:
            if self.unconfigured:
                cur.execute(
                    "SELECT ap.id, a.customer_class_id FROM payments_autopay ap"
                    " JOIN customers_account a ON a.id = ap.account_id"
                    " WHERE ap.id > %(lo)s AND ap.id <= %(hi)s AND a.customer_class_id IN ("
                    + ", ".join(f"%(u{i})s" for i in range(len(self.unconfigured)))
                    + ") AND "
                    + self._where(),
                    {
                        "lo": lo,
                        "hi": hi,
                        "date": self.run.process_date,
                        "low": self.low_all(),
                        "high": self.high_all(),
                        **{f"u{i}": c for i, c in enumerate(self.unconfigured)},
                    },
                )
                errors = [
                    (
                        apid,
                        f"Customer class {cls} has no {Spot.AUTOPAY_EXPIRY.value} algorithm and the run names no "
                        "CONTACT-CLASS/CONTACT-TYPE: no expiry notice can be made.",
                    )
                    for apid, cls in cur.fetchall()
                ]
            for config, windows in self.groups.items():
                created += self._insert(cur, config, windows, lo, hi)
        return ChunkResult(records=created, errors=errors)

    def _insert(self, cur: Any, config: NoticeConfig, windows: list[tuple[str, int, int]], lo: int, hi: int) -> int:
        pg = connection.vendor == "postgresql"
        now = timezone.now()
        user = self.user_id
        message_sql, literals = _sql_message(config.message)
        blocks = counter_blocks(hi - lo)
        if pg:
            counter = f"(%s::bigint[])[((d0.rn - 1) / {BLOCK}) + 1] + ((d0.rn - 1) %% {BLOCK})"
            counter_args: list[Any] = [blocks]
            expiry_text = "lpad(ap.expiry_month::text, 2, '0') || '/' || ap.expiry_year::text"
            origin = (
                f"'{CODE}:autopay:' || ap.id::text || ':' || ap.expiry_year::text || '-'"
                " || lpad(ap.expiry_month::text, 2, '0')"
            )
        else:
            counter = "%s + d0.rn - 1"
            counter_args = [blocks[0]]
            expiry_text = "printf('%%02d/%%04d', ap.expiry_month, ap.expiry_year)"
            origin = f"'{CODE}:autopay:' || ap.id || ':' || printf('%%04d-%%02d', ap.expiry_year, ap.expiry_month)"
        person = "COALESCE(ap.person_id, m.person_id)" if config.recipients == "PERSON" else "m.person_id"
        values = " UNION ALL ".join("SELECT %s AS cls, %s AS lo, %s AS hi" for _ in windows)
        window_args = [v for w in windows for v in w]
        select = (
            f"SELECT {scramble_sql('d.n')}, %s, %s, %s, %s, d.person_id, "
            + ("d.account_id" if config.account_allowed else "NULL")
            + ", NULL, %s, '', %s, %s, "
            + message_sql
            + ", 'ALG', d.origin, %s, %s, NULL, FALSE, FALSE, %s"
            f" FROM (SELECT d0.*, {counter} AS n FROM"
            " (SELECT ap.id, ap.account_id, ap.external_id, ap.card_brand, ap.card_last4, "
            + f"{person} AS person_id, {origin} AS origin, {expiry_text} AS expiry_text,"
            " row_number() OVER (ORDER BY ap.id) AS rn"
            " FROM payments_autopay ap"
            " JOIN customers_account a ON a.id = ap.account_id"
            f" JOIN ({values}) w ON w.cls = a.customer_class_id"
            " JOIN customers_accountperson m ON m.account_id = ap.account_id AND m.main_customer"
            " WHERE ap.id > %s AND ap.id <= %s AND ap.active AND ap.method = 'CC' AND ap.start_date <= %s"
            " AND (ap.end_date IS NULL OR ap.end_date >= %s)"
            " AND ap.expiry_year * 12 + ap.expiry_month BETWEEN w.lo AND w.hi"
            f" AND NOT EXISTS (SELECT 1 FROM contacts_customercontact c WHERE c.origin_reference = {origin}"
            f" AND c.person_id = {person} AND c.origin <> 'USER' AND c.origin_reference <> ''"
            " AND c.person_id IS NOT NULL)) d0) d"
        )
        args: list[Any] = [
            now,
            user,
            config.contact_class,
            config.contact_type_id,
            config.method,
            config.direction,
            config.is_open,
            *literals,
            config.print_letter,
            config.letter_template,
            now,
            *counter_args,
            *window_args,
            lo,
            hi,
            self.run.process_date,
            self.run.process_date,
        ]
        columns = (
            "INSERT INTO contacts_customercontact (id, contact_datetime, user_id, contact_class_id, contact_type_id,"
            " person_id, account_id, premise_id, method, contact_detail, direction, is_open, description, origin,"
            " origin_reference, print_letter, letter_template, letter_printed_at, letter_suppressed, letter_reprint,"
            " created_at) "
        )
        summary = f"{CODE} run {self.run.run_number} ({self.run.control_id}): expiration notice"
        trigger = self.run.process_date + dt.timedelta(days=config.reminder_days or 1)
        reminder_comment = "Follow up: card expiry notice"
        if pg:
            sql = "WITH ins AS (" + columns + select + " RETURNING id)"
            sql += (
                ", aud AS (INSERT INTO core_auditentry (at, user_id, username, action, entity_type, entity_id, summary,"
                " before, after) SELECT %s, %s, %s, 'add', 'contacts.customercontact', ins.id, %s, NULL, NULL FROM ins)"
            )
            args += [now, user, "custcare-events", summary]
            if config.reminder_role:
                sql += (
                    ", log AS (INSERT INTO contacts_contactlogentry (contact_id, at, user_id, kind, comment, changes)"
                    " SELECT ins.id, %s, %s, 'NOTE', %s, '{}'::jsonb FROM ins RETURNING id, contact_id)"
                    " INSERT INTO contacts_reminder (contact_id, log_entry_id, send_to_user_id, send_to_role_id,"
                    " trigger_date, comment, state, created_at, created_by_id)"
                    " SELECT log.contact_id, log.id, NULL, %s, %s, %s, 'PENDING', %s, %s FROM log"
                )
                args += [
                    now,
                    user,
                    f"Reminder for role {config.reminder_role} on {trigger:%Y-%m-%d}: {reminder_comment}",
                    config.reminder_role,
                    trigger,
                    reminder_comment,
                    now,
                    user,
                ]
                cur.execute(sql, args)
                return int(cur.rowcount)  # one reminder per contact
            sql += " SELECT count(*) FROM ins"
            cur.execute(sql, args)
            return int(cur.fetchone()[0])
        cur.execute("SELECT COALESCE(MAX(rowid), 0) FROM contacts_customercontact")
        before = cur.fetchone()[0]
        cur.execute(columns + select, args)
        count = int(cur.rowcount)
        new = "SELECT id FROM contacts_customercontact WHERE rowid > %s"
        cur.execute(
            "INSERT INTO core_auditentry (at, user_id, username, action, entity_type, entity_id, summary, before,"
            " after) SELECT %s, %s, %s, 'add', 'contacts.customercontact', id, %s, NULL, NULL FROM (" + new + ")",
            [now, user, "custcare-events", summary, before],
        )
        if config.reminder_role:
            cur.execute(
                "INSERT INTO contacts_contactlogentry (contact_id, at, user_id, kind, comment, changes)"
                " SELECT id, %s, %s, 'NOTE', %s, '{}' FROM (" + new + ")",
                [
                    now,
                    user,
                    f"Reminder for role {config.reminder_role} on {trigger:%Y-%m-%d}: {reminder_comment}",
                    before,
                ],
            )
            cur.execute(
                "INSERT INTO contacts_reminder (contact_id, log_entry_id, send_to_user_id, send_to_role_id,"
                " trigger_date, comment, state, created_at, created_by_id)"
                " SELECT l.contact_id, l.id, NULL, %s, %s, %s, 'PENDING', %s, %s FROM contacts_contactlogentry l"
                " WHERE l.contact_id IN (" + new + ")",
                [config.reminder_role, trigger, reminder_comment, now, user, before],
            )
        return count


def _check(params: ContactParams) -> str:
    from custcare.payments.events import CreditCardExpiryNotice

    errors = CreditCardExpiryNotice.check_references(params)
    return "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())


def _config(params: ContactParams) -> NoticeConfig:
    ctype = ContactType.objects.get(contact_class_id=params.contact_class, type_code=params.contact_type)
    letter = params.letter_template or (
        ctype.letter_template if ctype.contact_action == ContactType.Action.SEND_LETTER else ""
    )
    return NoticeConfig(
        contact_type_id=ctype.pk,
        contact_class=ctype.contact_class_id,
        method=params.method,
        direction=params.direction,
        is_open=ctype.default_open if params.is_open is None else params.is_open,
        message=params.message or DEFAULT_MESSAGE,
        recipients=params.recipients,
        account_allowed=ctype.account_usage != Usage.NOT_ALLOWED,
        print_letter=bool(letter),
        letter_template=letter or ctype.letter_template,
        reminder_role=ctype.reminder_role,
        reminder_days=ctype.reminder_days or 1,
    )


def _system_user_id() -> int:
    from custcare.events.services import events_system_user

    return int(events_system_user().pk)
