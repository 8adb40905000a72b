"""The data generator behind `custcare seed`: a realistic, reproducible customer base, loaded in bulk.

Everything random comes from one `random.Random(seed)` consumed household by household, so the same
seed gives the same names, phones, addresses and contacts whatever the batch size. Ids are not part of
that promise: they come from the shared id counter (`new_ids`, one call per batch).

Rows are built as plain tuples and written per batch in one transaction: with COPY on PostgreSQL and
`executemany` elsewhere. Nothing goes through `Model.save()`. A large load on PostgreSQL runs as one
transaction that drops the loaded tables' secondary indexes and constraints and recreates them at the
end (see `seed_load`), so a million persons load in minutes.
The contact types, their usage rules and characteristics are read from the configuration, so the
contacts generated are ones `customer_contact_add` would accept.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from operator import itemgetter
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone

from custcare.contacts.models import (
    ContactCharacteristic,
    ContactMethod,
    ContactType,
    ContactTypeCharacteristic,
    CustomerContact,
    Direction,
    Usage,
)
from custcare.core.ids import new_ids
from custcare.core.models import AuditEntry
from custcare.customers.models import (
    AccessGroup,
    Account,
    AccountPerson,
    Person,
    PersonEmail,
    PersonIdentifier,
    PersonName,
    PersonPhone,
    Premise,
    ServiceAgreement,
)
from custcare.customers.normalize import identifier_key, name_key, street_key, text_key
from custcare.demo import demo_data as words
from custcare.security import roles

SA_STATUS = ServiceAgreement.Status
# A utility's agreements are mostly active; the rest spread over the lifecycle.
SA_STATUS_MIX = [
    (SA_STATUS.ACTIVE, 78),
    (SA_STATUS.CLOSED, 8),
    (SA_STATUS.STOPPED, 5),
    (SA_STATUS.PENDING_START, 3),
    (SA_STATUS.PENDING_STOP, 2),
    (SA_STATUS.CANCELED, 2),
    (SA_STATUS.REACTIVATED, 2),
]
CONTACT_TYPE_WEIGHTS = {
    ("INQ", "BILLQ"): 22,
    ("BILL", "PAYMT"): 14,
    ("SVC", "OUTAGE"): 10,
    ("BILL", "HIBILL"): 10,
    ("INQ", "PAYARR"): 8,
    ("CMPL", "GEN"): 6,
    ("INQ", "MOVEIN"): 5,
    ("SVC", "METER"): 5,
    ("GEN", "ADDRCHG"): 5,
    ("GEN", "PREMNOTE"): 3,
}
CONTACT_SPAN = dt.timedelta(days=3 * 365)


class Picker:
    """Weighted choice with precomputed cumulative weights (much faster than `random.choices` per call)."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float] | None = None) -> None:
        if weights is None:  # rank order: the first items are the most common
            weights = [1 / (rank + 8) ** 0.9 for rank in range(len(items))]
        self.items = list(items)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect(self.cum, rng.random() * self.total)]


@dataclass
class SeedResult:
    persons: int = 0
    names: int = 0
    phones: int = 0
    emails: int = 0
    identifiers: int = 0
    premises: int = 0
    accounts: int = 0
    account_persons: int = 0
    service_agreements: int = 0
    contacts: int = 0
    characteristics: int = 0
    seconds: float = 0.0
    rebuilt: int = 0  # constraints and indexes dropped and recreated (0: the load kept them)
    rebuild_seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if k not in ("seconds", "rebuilt", "rebuild_seconds")}


class Table:
    """One table's rows for a batch. Columns named in `fields` are generated; every other column gets
    its model default once, so a field added to a model later does not break the loader.
    `id_fields` hold placeholders (an index into the batch's ids) until the batch's ids are known."""

    def __init__(self, model: type[models.Model], fields: Sequence[str], id_fields: Iterable[str] = ()) -> None:
        meta = model._meta
        self.model = model
        self.table = meta.db_table
        generated = [cast(models.Field, meta.get_field(f)) for f in fields]
        now = timezone.now()
        rest = [
            f
            for f in meta.concrete_fields
            if f.attname not in fields
            and f.name not in fields
            and not (f.primary_key and f.get_internal_type().endswith("AutoField"))
        ]
        self.columns: list[str] = [str(f.column) for f in generated] + [str(f.column) for f in rest]
        self.extra = tuple(
            f.get_db_prep_save(
                now if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False) else f.get_default(),
                connection,
            )
            for f in rest
        )
        self.id_positions = [fields.index(f) for f in id_fields]
        # SQLite's driver needs dates and datetimes in Django's storage format; psycopg takes them as they are.
        self.convert: list[tuple[int, Callable[..., Any]]] = []
        if connection.vendor != "postgresql":
            for i, f in enumerate(generated):
                if isinstance(f, models.DateField | models.DateTimeField):
                    self.convert.append((i, f.get_db_prep_save))
        self.rows: list[list[Any]] = []

    def resolve(self, ids: list[str]) -> None:
        for row in self.rows:
            for i in self.id_positions:
                v = row[i]
                if v is not None:
                    row[i] = ids[v]

    def write(self, cursor: Any) -> int:
        if not self.rows:
            return 0
        extra = self.extra
        if connection.vendor == "postgresql":
            cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(self.table)} ({cols}) FROM STDIN") as copy:
                for row in self.rows:
                    copy.write_row((*row, *extra))
        else:
            for row in self.rows:
                for i, conv in self.convert:
                    row[i] = conv(row[i], connection)
            cols = ", ".join(connection.ops.quote_name(c) for c in self.columns)
            marks = ", ".join(["%s"] * len(self.columns))
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(self.table)} ({cols}) VALUES ({marks})",
                [(*row, *extra) for row in self.rows],
            )
        return len(self.rows)


class Batch:
    """The rows of one batch, in foreign-key order."""

    def __init__(self) -> None:
        self.next_id = 0
        self.persons = Table(
            Person,
            [
                "id", "kind", "primary_name", "preferred_language", "date_of_birth", "life_support",
                "life_support_description", "house_number", "street", "address2", "city", "state", "postal_code",
                "country",
            ],
            ["id"],
        )  # fmt: skip
        self.names = Table(PersonName, ["person_id", "name_type", "is_primary", "name", "search_name"], ["person_id"])
        self.phones = Table(PersonPhone, ["person_id", "phone_type", "number"], ["person_id"])
        self.emails = Table(PersonEmail, ["person_id", "address", "is_primary"], ["person_id"])
        # Identifier values are derived from the person's id (unique), so they are filled in at resolve time.
        self.identifiers = Table(
            PersonIdentifier, ["person_id", "id_type_id", "value", "search_value", "is_primary"], ["person_id"]
        )
        self.premises = Table(
            Premise,
            [
                "id", "premise_type_id", "division_id", "street_key", "life_support", "life_support_description",
                "mailing_address", "house_number", "street", "address2", "city", "state", "postal_code", "country",
            ],
            ["id"],
        )  # fmt: skip
        self.accounts = Table(
            Account,
            [
                "id", "customer_class_id", "division_id", "bill_cycle", "setup_date", "mailing_premise_id",
                "access_group_id", "cash_only", "credit_rating", "collection_class",
            ],
            ["id", "mailing_premise_id"],
        )  # fmt: skip
        self.account_persons = Table(
            AccountPerson,
            [
                "account_id", "person_id", "relationship_type", "main_customer", "financially_responsible",
                "third_party", "receives_copy_of_bill", "bill_copies", "receives_notifications", "bill_address_source",
            ],
            ["account_id", "person_id"],
        )  # fmt: skip
        self.sas = Table(
            ServiceAgreement,
            ["id", "account_id", "sa_type_id", "premise_id", "start_date", "end_date", "status"],
            ["id", "account_id", "premise_id"],
        )
        self.contacts = Table(
            CustomerContact,
            [
                "id", "contact_datetime", "user_id", "contact_class_id", "contact_type_id", "person_id", "account_id",
                "premise_id", "method", "contact_detail", "direction", "is_open", "description", "origin",
            ],
            ["id", "person_id", "account_id", "premise_id"],
        )  # fmt: skip
        self.characteristics = Table(ContactCharacteristic, ["contact_id", "char_type_id", "value"], ["contact_id"])

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def tables(self) -> list[Table]:
        return [
            self.persons,
            self.names,
            self.phones,
            self.emails,
            self.identifiers,
            self.premises,
            self.accounts,
            self.account_persons,
            self.sas,
            self.contacts,
            self.characteristics,
        ]

    def resolve(self, ids: list[str]) -> None:
        for table in self.tables():
            table.resolve(ids)
        # Scrambled ids land anywhere in their primary key; in id order a batch's inserts walk each
        # index once from left to right instead of jumping between random pages.
        for table in (self.persons, self.premises, self.accounts, self.sas, self.contacts):
            table.rows.sort(key=itemgetter(0))
        for row in self.identifiers.rows:
            pid = row[0]
            if row[1] == "TAXID":
                row[2] = f"{pid[:2]}-{pid[2:]}"
            else:
                row[2] = f"{row[2]}{pid[:3]}-{pid[3:7]}-{pid[7:]}"
            row[3] = identifier_key(row[2])


@dataclass
class ContactRule:
    """A contact type as the generator needs it: usage rules and characteristic rules."""

    type_id: int
    class_code: str
    type_code: str
    person: str
    account: str
    premise: str
    default_method: str
    default_open: bool
    notes: list[str]
    chars: list[tuple[str, str, list[str], bool, str]] = field(default_factory=list)


@dataclass
class Household:
    """What the contacts of one household may name."""

    persons: list[tuple[int, list[str], str, str, str]]  # id, phones (E.164), mobile, email, mail address
    account: int | None
    premise: int | None


class Generator:
    def __init__(self, *, seed: int, access_groups: Sequence[str], contacts_per_person: float, now: dt.datetime):
        self.rng = random.Random(seed)
        # Users are drawn from their own stream so the users present do not change the rest of the data.
        self.user_rng = random.Random(seed + 1)
        self.now = now
        self.today = timezone.localdate(now)
        self.contacts_per_person = contacts_per_person
        self.female = Picker(words.FIRST_NAMES_FEMALE)
        self.male = Picker(words.FIRST_NAMES_MALE)
        self.surname = Picker(words.SURNAMES)
        self.street_name = Picker([*words.STREET_NAMES, *words.NUMBERED_STREETS])
        self.street_type = Picker(words.STREET_TYPES, words.STREET_TYPE_WEIGHTS)
        self.city = Picker(words.CITIES, [c[6] for c in words.CITIES])
        self.email_domain = Picker([d for d, _ in words.EMAIL_DOMAINS], [w for _, w in words.EMAIL_DOMAINS])
        self.sa_status = Picker([s for s, _ in SA_STATUS_MIX], [w for _, w in SA_STATUS_MIX])
        groups = list(access_groups)
        self.res_group = "RES" if "RES" in groups else groups[0]
        self.com_group = "COM" if "COM" in groups else groups[0]
        self.other_groups = [g for g in groups if g not in ("RES", "COM")]
        self.rules = self._contact_rules()
        self.users: list[int | None] = list(
            get_user_model()
            .objects.filter(groups__name__in=[roles.CSR, roles.SUPERVISOR], is_active=True)
            .order_by("id")
            .values_list("id", flat=True)
            .distinct()
        ) or [None]

    def _contact_rules(self) -> Picker:
        types = list(ContactType.objects.active().order_by("contact_class_id", "type_code"))
        chars: dict[int, list[tuple[str, str, list[str], bool, str]]] = {}
        for c in ContactTypeCharacteristic.objects.select_related("char_type").order_by("sequence", "id"):
            chars.setdefault(c.contact_type_id, []).append(
                (c.char_type_id, c.char_type.value_type, list(c.char_type.allowed_values), c.required, c.default_value)
            )
        rules = [
            ContactRule(
                type_id=t.pk,
                class_code=t.contact_class_id,
                type_code=t.type_code,
                person=t.person_usage,
                account=t.account_usage,
                premise=t.premise_usage,
                default_method=t.default_method,
                default_open=t.default_open,
                notes=words.CONTACT_NOTES.get((t.contact_class_id, t.type_code))
                or [t.shorthand or f"{t.description}: customer called about this."],
                chars=chars.get(t.pk, []),
            )
            for t in types
        ]
        if not rules:
            raise ValueError("No active contact types: load the reference data first (custcare demo).")
        return Picker(rules, [CONTACT_TYPE_WEIGHTS.get((r.class_code, r.type_code), 3) for r in rules])

    def _chance(self, p: float) -> bool:
        return self.rng.random() < p

    def _date_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def _phone(self, area_codes: tuple[str, ...]) -> str:
        rng = self.rng
        exchange = rng.randint(200, 999)
        while exchange % 100 == 11 or exchange == 555:
            exchange = rng.randint(200, 999)
        return f"+1{rng.choice(area_codes)}{exchange}{rng.randint(0, 9999):04d}"

    def _address(self) -> tuple[dict[str, str], tuple[Any, ...]]:
        rng = self.rng
        city = self.city(rng)
        name = self.street_name(rng)
        street = f"{name} {self.street_type(rng)}"
        if self._chance(0.08):
            street = f"{rng.choice(words.DIRECTIONS)} {street}"
        r = rng.random()
        house = rng.randint(1, 299) if r < 0.5 else rng.randint(300, 3999) if r < 0.92 else rng.randint(4000, 19999)
        prefix = city[3]
        if city[2] == "CA":
            postal = f"{prefix} {rng.randint(1, 9)}{rng.choice('ABCEGHJKLMNPRSTVXY')}{rng.randint(1, 9)}"
        else:
            postal = f"{prefix}{rng.randint(1, 99):02d}"
        addr = {
            "house_number": str(house),
            "street": street,
            "address2": "",
            "city": city[0],
            "state": city[1],
            "postal_code": postal,
            "country": city[2],
        }
        return addr, city

    def _email(self, first: str, last: str) -> str:
        rng = self.rng
        f, la = text_key(first).replace(" ", ""), text_key(last).replace(" ", "")
        style = rng.random()
        local = f"{f}.{la}" if style < 0.45 else f"{f[:1]}{la}" if style < 0.75 else f"{f}{la}"
        if self._chance(0.55):
            local += str(rng.randint(1, 99) if self._chance(0.6) else rng.randint(1950, 2008))
        return f"{local}@{self.email_domain(rng)}"

    def household(self, batch: Batch, remaining: int) -> tuple[int, Household]:
        """One customer: a person (sometimes a business) with an account, premise and agreements,
        sometimes a second person on the account. Returns the number of persons made."""
        rng = self.rng
        business = self._chance(0.08)
        addr, city = self._address()
        area_codes = city[4]
        people: list[tuple[int, list[str], str, str, str]] = []
        surname = self.surname(rng)

        if business:
            pid = self._business(batch, addr, area_codes, surname)
        else:
            pid = self._individual(batch, addr, area_codes, surname, main=True)
        people.append(pid)

        prospect = self._chance(0.02)
        if prospect:
            return 1, Household(persons=people, account=None, premise=None)

        premise = batch.new_id()
        premise_type = (
            "COMM" if business else ("FARM" if self._chance(0.02) else "APT" if self._chance(0.3) else "HOUSE")
        )
        p_addr = dict(addr)
        if premise_type == "APT":
            p_addr["address2"] = f"Apt {rng.randint(1, 24)}{rng.choice('ABCDEF')}"
        life = not business and self._chance(0.01)
        batch.premises.rows.append(
            [
                premise, premise_type, city[5], street_key(p_addr["street"]), life,
                rng.choice(words.LIFE_SUPPORT) if life else "", "", p_addr["house_number"], p_addr["street"],
                p_addr["address2"], p_addr["city"], p_addr["state"], p_addr["postal_code"], p_addr["country"],
            ]
        )  # fmt: skip

        account = batch.new_id()
        if self.other_groups and self._chance(0.02):
            group = rng.choice(self.other_groups)
        else:
            group = self.com_group if business else self.res_group
        customer_class = ("I" if self._chance(0.15) else "C") if business else ("L" if self._chance(0.1) else "R")
        setup = self._date_between(dt.date(2001, 1, 1), self.today - dt.timedelta(days=20))
        batch.accounts.rows.append(
            [
                account, customer_class, city[5], f"BC{rng.randint(1, 20):02d}", setup, premise, group,
                self._chance(0.02), rng.choice((1000, 1000, 1000, 900, 800, 600, 400)),
                "COMM" if business else "RES",
            ]
        )  # fmt: skip
        batch.account_persons.rows.append([account, pid[0], "MAIN", True, True, False, False, 0, True, "PREM"])

        sa_types = ["E-COM"] if business else ["E-RES"]
        if not business and self._chance(0.5):
            sa_types.append("G-RES")
        if not business and self._chance(0.3):
            sa_types.append("W-RES")
        for sa_type in sa_types:
            status = self.sa_status(rng)
            start = self._date_between(setup, self.today - dt.timedelta(days=10))
            if status == SA_STATUS.PENDING_START:
                start = self.today + dt.timedelta(days=rng.randint(1, 30))
            end = None
            if status in (SA_STATUS.STOPPED, SA_STATUS.CLOSED, SA_STATUS.PENDING_STOP):
                end = self._date_between(
                    start, self.today + dt.timedelta(days=30 if status == SA_STATUS.PENDING_STOP else 0)
                )
            batch.sas.rows.append([batch.new_id(), account, sa_type, premise, start, end, status])

        if remaining > 1 and (self._chance(0.1) if business else self._chance(0.12)):
            if business:
                second = self._individual(batch, addr, area_codes, self.surname(rng), main=False)
                batch.account_persons.rows.append(
                    [account, second[0], "AGENT", False, False, True, False, 0, True, "PER"]
                )
            else:
                second = self._individual(
                    batch, addr, area_codes, surname if self._chance(0.7) else self.surname(rng), main=False
                )
                copy = self._chance(0.3)
                batch.account_persons.rows.append(
                    [account, second[0], "SPOUSE", False, self._chance(0.5), False, copy, int(copy), True, "PREM"]
                )
            people.append(second)
        return len(people), Household(persons=people, account=account, premise=premise)

    def _individual(
        self, batch: Batch, addr: dict[str, str], area_codes: tuple[str, ...], surname: str, *, main: bool
    ) -> tuple[int, list[str], str, str, str]:
        rng = self.rng
        pid = batch.new_id()
        female = self._chance(0.51)
        first = (self.female if female else self.male)(rng)
        name = f"{surname}, {first}"
        if self._chance(0.15):
            name = f"{surname}, {first} {chr(rng.randint(65, 90))}."
        language = "es" if self._chance(0.1) else "fr" if self._chance(0.05) else "en"
        dob = self._date_between(dt.date(1935, 1, 1), dt.date(2005, 12, 31)) if self._chance(0.8) else None
        life = main and self._chance(0.008)
        batch.persons.rows.append(
            [
                pid, "P", name, language, dob, life, rng.choice(words.LIFE_SUPPORT) if life else "",
                addr["house_number"], addr["street"], addr["address2"], addr["city"], addr["state"],
                addr["postal_code"], addr["country"],
            ]
        )  # fmt: skip
        batch.names.rows.append([pid, "PRIM", True, name, name_key(name)])
        if female and self._chance(0.06):
            alias = f"{self.surname(rng)}, {first}"
            batch.names.rows.append([pid, "MAIDEN", False, alias, name_key(alias)])
        elif first in words.NICKNAMES and self._chance(0.3):
            alias = f"{surname}, {words.NICKNAMES[first]}"
            batch.names.rows.append([pid, "ALIAS", False, alias, name_key(alias)])
        phones: list[str] = []
        mobile = ""
        if self._chance(0.85):
            mobile = self._phone(area_codes)
            phones.append(mobile)
            batch.phones.rows.append([pid, "MOBILE", mobile])
        if not phones or self._chance(0.35):
            home = self._phone(area_codes)
            phones.append(home)
            batch.phones.rows.append([pid, "HOME", home])
        email = ""
        if self._chance(0.7):
            email = self._email(first, surname)
            batch.emails.rows.append([pid, email, True])
        if self._chance(0.3):
            # The value is completed from the person's id once ids are known (see Batch.resolve).
            batch.identifiers.rows.append([pid, "DRLIC", surname_initial(surname), "", True])
        return pid, phones, mobile, email, f"{addr['house_number']} {addr['street']}, {addr['city']}"

    def _business(
        self, batch: Batch, addr: dict[str, str], area_codes: tuple[str, ...], surname: str
    ) -> tuple[int, list[str], str, str, str]:
        rng = self.rng
        pid = batch.new_id()
        trade = rng.choice(words.BUSINESS_WORDS)
        owner = surname if self._chance(0.4) else rng.choice(words.BUSINESS_PREFIXES)
        suffix = rng.choice(words.BUSINESS_SUFFIXES)
        name = " ".join(p for p in (owner, trade, suffix) if p)
        batch.persons.rows.append(
            [
                pid, "B", name, "en", None, False, "", addr["house_number"], addr["street"], addr["address2"],
                addr["city"], addr["state"], addr["postal_code"], addr["country"],
            ]
        )  # fmt: skip
        batch.names.rows.append([pid, "PRIM", True, name, name_key(name)])
        if self._chance(0.25):
            dba = f"{owner} {trade}" if suffix else f"{owner}'s {trade}"
            batch.names.rows.append([pid, "DBA", False, dba, name_key(dba)])
        office = self._phone(area_codes)
        phones = [office]
        batch.phones.rows.append([pid, "BUSN", office])
        if self._chance(0.2):
            fax = self._phone(area_codes)
            phones.append(fax)
            batch.phones.rows.append([pid, "FAX", fax])
        slug = text_key(f"{owner} {trade}").replace(" ", "")
        email = f"{rng.choice(('info', 'office', 'accounts', 'billing'))}@{slug}.com"
        batch.emails.rows.append([pid, email, True])
        if self._chance(0.6):
            batch.identifiers.rows.append([pid, "TAXID", "", "", True])
        return pid, phones, "", email, f"{addr['house_number']} {addr['street']}, {addr['city']}"

    def contacts(self, batch: Batch, home: Household) -> None:
        """Contacts for the household's persons, each passing its type's usage rules."""
        rng = self.rng
        for person_id, phones, mobile, email, mail_address in home.persons:
            count = rng.randint(0, round(2 * self.contacts_per_person))
            for _ in range(count):
                rule = self.rules(rng)
                if (rule.account == Usage.REQUIRED or rule.premise == Usage.REQUIRED) and home.account is None:
                    continue  # a prospect has no account or premise this type could name
                with_person = rule.person == Usage.REQUIRED or (rule.person == Usage.OPTIONAL and self._chance(0.8))
                with_account = home.account is not None and (
                    rule.account == Usage.REQUIRED or (rule.account == Usage.OPTIONAL and self._chance(0.6))
                )
                with_premise = home.premise is not None and (
                    rule.premise == Usage.REQUIRED or (rule.premise == Usage.OPTIONAL and self._chance(0.4))
                )
                when = self.now - dt.timedelta(seconds=rng.randint(3600, int(CONTACT_SPAN.total_seconds())))
                method, detail = rule.default_method, ""
                if with_person:
                    r = rng.random()
                    if r < 0.7:
                        method = rule.default_method
                    elif r < 0.85:
                        method = ContactMethod.PHONE
                    elif r < 0.93 and email:
                        method = ContactMethod.EMAIL
                    elif mobile:
                        method = ContactMethod.SMS
                    if method == ContactMethod.NOT_APPLICABLE:
                        method = ContactMethod.PHONE
                    if method == ContactMethod.PHONE:
                        detail = rng.choice(phones)
                    elif method == ContactMethod.EMAIL:
                        detail = email
                    elif method == ContactMethod.SMS:
                        detail = mobile
                    elif method == ContactMethod.POSTAL:
                        detail = mail_address
                    elif method == ContactMethod.FAX:
                        method, detail = ContactMethod.PHONE, phones[0]
                else:
                    method = rule.default_method if rule.default_method != ContactMethod.EMAIL else ContactMethod.PHONE
                recent = (self.now - when).days < 45
                is_open = rule.default_open and self._chance(0.6 if recent else 0.05)
                cid = batch.new_id()
                batch.contacts.rows.append(
                    [
                        cid, when, self.user_rng.choice(self.users), rule.class_code, rule.type_id,
                        person_id if with_person else None, home.account if with_account else None,
                        home.premise if with_premise else None, method, detail,
                        Direction.INBOUND if self._chance(0.85) else Direction.OUTBOUND, is_open,
                        rng.choice(rule.notes), CustomerContact.Origin.USER,
                    ]
                )  # fmt: skip
                for code, value_type, allowed, required, default in rule.chars:
                    if required or self._chance(0.4):
                        value = self._char_value(code, value_type, allowed, when)
                    elif default:
                        value = default
                    else:
                        continue
                    batch.characteristics.rows.append([cid, code, value])

    def _char_value(self, code: str, value_type: str, allowed: list[str], when: dt.datetime) -> str:
        rng = self.rng
        if value_type == "LIST":
            return rng.choice(allowed)
        if value_type == "NUM":
            return str(rng.randint(100, 99999))
        if value_type == "DATE":
            return (when.date() - dt.timedelta(days=rng.randint(0, 2))).isoformat()
        if code == "METER-NO":
            return f"{rng.randint(10_000_000, 99_999_999)}"
        return f"Ref {rng.randint(1000, 9999)}"


def surname_initial(surname: str) -> str:
    """Driver's licences in the territory start with the holder's surname initial."""
    key = text_key(surname)
    return key[:1].upper() or "X"


def _write_batch(batch: Batch, result: SeedResult, *, own_transaction: bool = True) -> None:
    ids = new_ids(batch.next_id)
    batch.resolve(ids)
    with transaction.atomic(savepoint=own_transaction), connection.cursor() as cursor:
        result.persons += batch.persons.write(cursor)
        result.names += batch.names.write(cursor)
        result.phones += batch.phones.write(cursor)
        result.emails += batch.emails.write(cursor)
        result.identifiers += batch.identifiers.write(cursor)
        result.premises += batch.premises.write(cursor)
        result.accounts += batch.accounts.write(cursor)
        result.account_persons += batch.account_persons.write(cursor)
        result.service_agreements += batch.sas.write(cursor)
        result.contacts += batch.contacts.write(cursor)
        result.characteristics += batch.characteristics.write(cursor)


# A load at least this large, into tables holding fewer persons than it adds, rebuilds the indexes
# (see `seed_load`). Below it, keeping the indexes is as fast and the load commits batch by batch.
REBUILD_MIN_PERSONS = 100_000
BATCH = 10_000  # persons per batch (and transaction) by default
REBUILD_BATCH = 50_000  # persons per batch by default when rebuilding (one transaction anyway)
# Memory for each index build of the rebuild (the trigram GIN indexes use it most).
REBUILD_MAINTENANCE_WORK_MEM = "512MB"


@dataclass
class SavedSchema:
    """What a rebuild drops and later recreates, as PostgreSQL itself prints it."""

    constraints: list[tuple[str, str, str, str]]  # table, name, type ("u" or "f"), definition
    indexes: list[tuple[str, str, str]]  # table, name, CREATE INDEX statement

    def steps(self) -> list[tuple[str, str]]:
        """(name, SQL) to recreate everything: unique constraints and indexes, then the foreign keys,
        whose validation reads the finished tables."""
        q = connection.ops.quote_name
        uniques = [(n, f"ALTER TABLE {q(t)} ADD CONSTRAINT {q(n)} {d}") for t, n, k, d in self.constraints if k == "u"]
        indexes = [(n, d) for _, n, d in self.indexes]
        fks = [(n, f"ALTER TABLE {q(t)} ADD CONSTRAINT {q(n)} {d}") for t, n, k, d in self.constraints if k == "f"]
        return [*uniques, *indexes, *fks]


def _drop_secondary_schema(cursor: Any, tables: Sequence[str]) -> SavedSchema:
    """Drop the foreign keys, unique constraints and other indexes of `tables`, keeping their primary
    keys and check constraints, and return their definitions for `_rebuild`."""
    q = connection.ops.quote_name
    cursor.execute(
        "SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('u', 'f') ORDER BY 1, 2",
        [list(tables)],
    )
    constraints = [tuple(r) for r in cursor.fetchall()]
    cursor.execute(
        "SELECT t.relname, i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
        "WHERE x.indrelid = ANY(%s::regclass[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u', 'x')) "
        "ORDER BY 1, 2",
        [list(tables)],
    )
    indexes = [tuple(r) for r in cursor.fetchall()]
    for table, name, _kind, _ in sorted(constraints, key=lambda c: c[2]):  # foreign keys ("f") first
        cursor.execute(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}")
    if indexes:
        cursor.execute(f"DROP INDEX {', '.join(q(name) for _, name, _ in indexes)}")
    return SavedSchema(constraints=constraints, indexes=indexes)  # type: ignore[arg-type]


def _rebuild(cursor: Any, saved: SavedSchema, *, progress: bool) -> None:
    from tqdm import tqdm

    steps = saved.steps()
    with tqdm(total=len(steps), desc="Rebuilding indexes", unit=" index", disable=not progress) as bar:
        for name, sql in steps:
            bar.set_postfix_str(name, refresh=True)
            cursor.execute(sql)
            bar.update(1)


def _rebuild_wanted(rebuild_indexes: bool | None, persons: int) -> bool:
    if connection.vendor != "postgresql" or rebuild_indexes is False:
        return False
    if rebuild_indexes:
        return True
    return persons >= REBUILD_MIN_PERSONS and Person.objects.count() < persons


def seed_load(
    *,
    persons: int,
    seed: int = 42,
    batch_size: int | None = None,
    access_groups: Sequence[str] = ("RES", "COM"),
    contacts_per_person: float = 2,
    user: Any = None,
    progress: bool = True,
    rebuild_indexes: bool | None = None,
) -> SeedResult:
    """Add `persons` generated persons with their accounts, premises, agreements and contacts.

    By default each batch commits on its own, so an interrupted load keeps the batches written so far.
    On PostgreSQL the batches commit without waiting for the disk (`synchronous_commit = off`): a crash
    may lose the last few, never a part of one, and the audit entry, written last and durably, is only
    there when every batch is.

    On PostgreSQL a large load (`rebuild_indexes=True`, or by default `REBUILD_MIN_PERSONS` or more into
    tables holding fewer persons than that) instead runs as ONE transaction that drops the loaded tables'
    foreign keys, unique constraints and secondary indexes (primary keys stay), copies the rows, and
    recreates every one of them from the definitions PostgreSQL reported: building an index over the
    finished table is far cheaper than millions of inserts at random places in ~80 indexes. The tables
    are locked meanwhile, and an interrupted or failed load (say, a duplicate a unique index refuses)
    leaves nothing behind, schema included. SQLite always loads batch by batch (its FTS5 triggers stay).

    `batch_size` persons are generated and copied at a time: by default 10,000, and 50,000 when
    rebuilding, where each batch's inserts sweep the primary keys' pages once, so fewer, larger
    batches (about 270 MB of memory) halve the copying time.

    Running it again adds more persons (the same seed gives the same names again, with new ids). One
    audit entry records the whole load."""
    if persons < 0 or (batch_size is not None and batch_size < 1):
        raise ValueError("persons must be >= 0 and batch size >= 1.")
    known = set(AccessGroup.objects.filter(code__in=access_groups).values_list("code", flat=True))
    unknown = [g for g in access_groups if g not in known]
    if unknown or not access_groups:
        raise ValueError(f"Unknown access groups: {', '.join(unknown) or '(none given)'}.")
    started = timezone.now()
    gen = Generator(seed=seed, access_groups=access_groups, contacts_per_person=contacts_per_person, now=started)
    result = SeedResult()
    if persons > 0 and _rebuild_wanted(rebuild_indexes, persons):
        batch_size = batch_size or REBUILD_BATCH
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{REBUILD_MAINTENANCE_WORK_MEM}'")
            # Foreign-key checks still queued by this transaction (when it is part of a larger one) would
            # forbid the ALTER TABLEs: run them now. Every CustCare foreign key is deferrable and initially
            # deferred (as Django makes them), so deferring them all again afterwards restores the default.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            saved = _drop_secondary_schema(cursor, [t.table for t in Batch().tables()])
            _load(gen, result, persons=persons, batch_size=batch_size, progress=progress, own_transactions=False)
            load_done = timezone.now()
            _rebuild(cursor, saved, progress=progress)
            result.rebuild_seconds = (timezone.now() - load_done).total_seconds()
            result.rebuilt = len(saved.steps())
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            _analyze(result)
            result.seconds = (timezone.now() - started).total_seconds()
            _audit(user=user, seed=seed, access_groups=access_groups, result=result)
        return result
    batch_size = batch_size or BATCH
    with connection.cursor() as cursor:
        synchronous_commit = None
        if connection.vendor == "postgresql":
            cursor.execute("SELECT current_setting('synchronous_commit')")
            synchronous_commit = cursor.fetchone()[0]
            cursor.execute("SET synchronous_commit = off")
        try:
            _load(gen, result, persons=persons, batch_size=batch_size, progress=progress, own_transactions=True)
        finally:
            if synchronous_commit is not None:
                # Durable again for the audit entry: committing it flushes the write-ahead log up to it,
                # so every batch before it is on disk too.
                cursor.execute("SELECT set_config('synchronous_commit', %s, false)", [synchronous_commit])
    _analyze(result)
    result.seconds = (timezone.now() - started).total_seconds()
    _audit(user=user, seed=seed, access_groups=access_groups, result=result)
    return result


def _load(
    gen: Generator, result: SeedResult, *, persons: int, batch_size: int, progress: bool, own_transactions: bool
) -> None:
    from tqdm import tqdm

    made = 0
    with tqdm(total=persons, unit=" persons", unit_scale=True, disable=not progress, smoothing=0.1) as bar:
        while made < persons:
            batch = Batch()
            in_batch = 0
            while in_batch < batch_size and made + in_batch < persons:
                count, home = gen.household(batch, persons - made - in_batch)
                gen.contacts(batch, home)
                in_batch += count
            _write_batch(batch, result, own_transaction=own_transactions)
            made += in_batch
            bar.update(in_batch)


def _analyze(result: SeedResult) -> None:
    """Fresh statistics: until autovacuum catches up the planner would guess (badly) from the sizes
    before the load, e.g. scanning every RES account to check one person's access."""
    if connection.vendor == "postgresql" and result.persons:
        tables = ", ".join(connection.ops.quote_name(t.table) for t in Batch().tables())
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")


def _audit(*, user: Any, seed: int, access_groups: Sequence[str], result: SeedResult) -> None:
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    AuditEntry.objects.create(
        user_id=user.pk if authenticated else None,
        username=user.get_username() if authenticated else "system",
        action="seed",
        entity_type="customers.person",
        entity_id="*",
        summary=(
            f"Generated {result.persons} persons, {result.accounts} accounts, {result.premises} premises, "
            f"{result.service_agreements} service agreements and {result.contacts} contacts (seed {seed})"
            + (f", indexes rebuilt ({result.rebuilt})." if result.rebuilt else ".")
        ),
        after={
            "seed": seed,
            "access_groups": list(access_groups),
            "counts": result.counts(),
            "indexes_rebuilt": result.rebuilt,
        },
    )
