"""Reads of To Do: the worklist, an entry with its log and links, lists for the API and supervisors,
and the supervisor summary. Every read is limited to entries the user may see (their roles, their
own entries, or everything for a supervisor) and to accounts in the user's access groups.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.utils import timezone

from custcare.algorithms.models import Algorithm
from custcare.algorithms.registry import AlgorithmType
from custcare.algorithms.services import algorithm_instance
from custcare.core.errors import AccessDenied, NotFound
from custcare.security.context import user_security_context_load
from custcare.todo.algorithms import EntryFacts, RequiredSkill, TypeRules, message_fill
from custcare.todo.models import ToDoEntry, ToDoLog, ToDoRole, ToDoType
from custcare.todo.services import is_global_supervisor, may_work, role_memberships, visible_entries

Status = ToDoEntry.Status
WORKLIST_PAGE_SIZE = 50
COUNT_CAP = 10_000

# Information text


def info_texts(entries: list[ToDoEntry]) -> dict[str, str]:
    """The information text of each entry, for any number of entries in one query (the entries' types
    with their information algorithms and required skills). Entries should carry their person
    (select_related) when the message uses {person}."""
    codes = {e.todo_type_id for e in entries}
    if not codes:
        return {}
    rows = ToDoType.objects.filter(code__in=codes).values_list(
        "code",
        "message_text",
        "info_algorithm__code",
        "info_algorithm__algorithm_type",
        "info_algorithm__parameters",
        "required_skills__skill_id",
        "required_skills__min_level",
    )
    rules: dict[str, TypeRules] = {}
    algorithms: dict[str, AlgorithmType | None] = {}
    for code, message_text, alg_code, alg_type, params, skill, level in rows.order_by("code", "required_skills__skill"):
        if code not in rules:
            rules[code] = TypeRules(message_text=message_text)
            algorithms[code] = (
                algorithm_instance(Algorithm(code=alg_code, algorithm_type=alg_type, parameters=params))
                if alg_code
                else None
            )
        if skill is not None:
            rules[code].required.append(RequiredSkill(skill, level))
    out = {}
    for e in entries:
        loaded = e.person_id and "person" in e._state.fields_cache
        person = e.person.primary_name if loaded and e.person is not None else ""
        facts = EntryFacts(contact=e.contact_id or "", person=person or e.person_id or "", comment=e.message)
        algorithm = algorithms[e.todo_type_id]
        if algorithm is None:
            out[e.id] = message_fill(rules[e.todo_type_id].message_text, facts) or e.message
        else:
            out[e.id] = str(algorithm.run(rules=rules[e.todo_type_id], facts=facts))
    return out


# Worklist


@dataclass
class WorklistRow:
    entry: ToDoEntry
    info: str
    mine: bool


@dataclass
class WorklistPage:
    rows: list[WorklistRow]
    total: int
    total_capped: bool
    page: int
    page_size: int
    role_ids: list[str] = field(default_factory=list)
    supervisor: bool = False

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.total

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _order_key(e: ToDoEntry) -> tuple[int, dt.datetime, str]:
    return (e.priority, e.created_at, e.id)


def worklist(
    *, user: Any, page: int = 1, page_size: int = WORKLIST_PAGE_SIZE, todo_type: str = "", scope: str = "all"
) -> WorklistPage:
    """The user's own entries (Being Worked On) and their roles' Open entries, by priority then age.

    Each source (the user's own entries, then each role's open queue) is read in index order up to the
    end of the requested page, keys only, and the sources are merged; then the page's rows are read by
    id. A queue of 100,000 entries costs an index range scan of one page, not a sort of the queue. The
    total is counted up to COUNT_CAP."""
    page = max(1, page)
    user_security_context_load(user)
    memberships = role_memberships(user)
    role_ids = sorted(memberships)
    base = visible_entries(user)
    if todo_type:
        base = base.filter(todo_type_id=todo_type)
    mine_q = Q(assigned_to=user, status=Status.BEING_WORKED_ON)
    roles_q = Q(role_id__in=role_ids, status=Status.OPEN)
    where = {"mine": mine_q, "roles": roles_q}.get(scope, mine_q | roles_q)
    total = base.filter(where).order_by()[: COUNT_CAP + 1].count()
    need = page * page_size
    sources: list[QuerySet[ToDoEntry]] = []
    if scope in ("all", "mine"):
        sources.append(base.filter(mine_q))
    if scope in ("all", "roles"):
        sources.extend(base.filter(role_id=r, status=Status.OPEN) for r in role_ids)
    keys = [
        list(qs.order_by("priority", "created_at", "id").values_list("priority", "created_at", "id")[:need])
        for qs in sources
    ]
    chosen = [key[2] for key in list(heapq.merge(*keys))[(page - 1) * page_size : need]]
    rows_qs = ToDoEntry.objects.filter(pk__in=chosen).select_related("person", "assigned_to")
    entries = sorted(rows_qs, key=_order_key) if chosen else []
    texts = info_texts(entries)
    rows = [WorklistRow(entry=e, info=texts[e.id], mine=e.assigned_to_id == user.pk) for e in entries]
    return WorklistPage(
        rows=rows,
        total=min(total, COUNT_CAP),
        total_capped=total > COUNT_CAP,
        page=page,
        page_size=page_size,
        role_ids=role_ids,
        supervisor=is_global_supervisor(user) or any(memberships.values()),
    )


# One entry


@dataclass
class EntryDetail:
    entry: ToDoEntry
    info: str
    log: list[ToDoLog]
    contact_visible: bool
    person_visible: bool
    account_visible: bool
    may_work: bool
    supervises: bool

    @property
    def drill_down(self) -> tuple[str, str] | None:
        """(kind, id) of the record the type drills down to, if the user may see it; else the first
        linked record the user may see."""
        e = self.entry
        links = [
            ("CONTACT", e.contact_id, self.contact_visible),
            ("PERSON", e.person_id, self.person_visible),
            ("ACCOUNT", e.account_id, self.account_visible),
        ]
        preferred = [link for link in links if link[0] == e.todo_type.drill_down] + links
        for kind, record_id, visible in preferred:
            if record_id and visible:
                return kind, record_id
        return None


def _may_see(user: Any, entry: ToDoEntry, memberships: dict[str, bool]) -> bool:
    return may_work(user, entry, memberships) or user.pk in (entry.created_by_id, entry.completed_by_id)


def todo_entry_detail(*, entry_id: str, user: Any) -> EntryDetail:
    """An entry with its log, information text and the links the user may follow. An entry whose
    account is outside the user's access groups does not exist for the user."""
    from custcare.contacts.selectors import contact_list_visible, exists_many
    from custcare.customers.models import Person

    memberships = role_memberships(user)
    entry = (
        visible_entries(user)
        .filter(pk=entry_id)
        .select_related("todo_type", "role", "person", "assigned_to", "sent_by", "completed_by", "contact")
        .first()
    )
    if entry is None or not _may_see(user, entry, memberships):
        raise NotFound(f"No To Do entry {entry_id} that you may see.")
    checks: dict[str, QuerySet[Any]] = {}
    if entry.contact_id:
        checks["c"] = contact_list_visible(user=user).filter(pk=entry.contact_id)
    if entry.person_id:
        checks["p"] = Person.objects.visible_to(user).filter(pk=entry.person_id)
    visible = exists_many(checks)
    log = list(entry.log.select_related("user"))
    global_supervisor = is_global_supervisor(user)
    return EntryDetail(
        entry=entry,
        info=info_texts([entry])[entry.id],
        log=log,
        contact_visible=visible.get("c", False),
        person_visible=visible.get("p", False),
        account_visible=entry.account_id is not None,
        may_work=entry.status != Status.COMPLETE and may_work(user, entry, memberships),
        supervises=global_supervisor or memberships.get(entry.role_id, False),
    )


# Lists


@dataclass
class EntryFilters:
    role: str | None = None
    status: str | None = None
    assigned_to: int | None = None
    priority_min: int | None = None
    priority_max: int | None = None
    todo_type: str | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None


def todo_entry_list(
    *, user: Any, filters: EntryFilters | None = None, supervised_only: bool = False
) -> QuerySet[ToDoEntry]:
    """Entries the user may see: supervisors (Supervisor role) all, others their roles' and their own;
    with supervised_only, only entries of roles the user supervises."""
    filters = filters or EntryFilters()
    memberships = role_memberships(user)
    qs = visible_entries(user)
    if supervised_only:
        if not is_global_supervisor(user):
            supervised = [r for r, sup in memberships.items() if sup]
            if not supervised:
                raise AccessDenied("Only supervisors see this list.")
            qs = qs.filter(role_id__in=supervised)
    elif not is_global_supervisor(user):
        qs = qs.filter(Q(role_id__in=list(memberships)) | Q(assigned_to=user))
    if filters.role:
        qs = qs.filter(role_id=filters.role)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.assigned_to is not None:
        qs = qs.filter(assigned_to_id=filters.assigned_to)
    if filters.priority_min is not None:
        qs = qs.filter(priority__gte=filters.priority_min)
    if filters.priority_max is not None:
        qs = qs.filter(priority__lte=filters.priority_max)
    if filters.todo_type:
        qs = qs.filter(todo_type_id=filters.todo_type)
    if filters.created_from:
        qs = qs.filter(created_at__gte=_day_start(filters.created_from))
    if filters.created_to:
        qs = qs.filter(created_at__lt=_day_start(filters.created_to + dt.timedelta(days=1)))
    return qs.select_related("person", "assigned_to").order_by("priority", "created_at", "id")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def todo_role_list() -> QuerySet[ToDoRole]:
    return ToDoRole.objects.all()


def todo_type_list() -> QuerySet[ToDoType]:
    return ToDoType.objects.all()


def todo_assignable_users(*, role_id: str | None = None) -> list[Any]:
    """Active members of To Do roles (of one role when given): whom an entry is usually given to."""
    from django.contrib.auth import get_user_model

    qs = get_user_model().objects.filter(is_active=True, todo_role_memberships__isnull=False)
    if role_id:
        qs = qs.filter(todo_role_memberships__role_id=role_id)
    return list(qs.distinct().order_by("username"))


# Supervisor summary

PRIORITY_BANDS = ["1–20", "21–50", "51–100"]
AGE_BANDS = ["< 1 day", "1–7 days", "7–30 days", "> 30 days"]


@dataclass
class SummaryRow:
    role: str
    priority_band: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class Summary:
    rows: list[SummaryRow]
    age_bands: list[str]
    as_of: dt.datetime

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)


def todo_summary(*, user: Any, now: dt.datetime | None = None) -> Summary:
    """Entries not yet complete, counted by role × priority band × age band in one aggregate query.
    Supervisors (Supervisor role) see every role; role supervisors see the roles they supervise."""
    memberships = role_memberships(user)
    qs = ToDoEntry.objects.exclude(status=Status.COMPLETE)
    if not is_global_supervisor(user):
        supervised = [r for r, sup in memberships.items() if sup]
        if not supervised:
            raise AccessDenied("The To Do summary is for supervisors.")
        qs = qs.filter(role_id__in=supervised)
    now = now or timezone.now()
    day = dt.timedelta(days=1)
    priority_band = Case(
        When(priority__lte=20, then=Value(PRIORITY_BANDS[0])),
        When(priority__lte=50, then=Value(PRIORITY_BANDS[1])),
        default=Value(PRIORITY_BANDS[2]),
        output_field=CharField(),
    )
    age_band = Case(
        When(created_at__gt=now - day, then=Value(AGE_BANDS[0])),
        When(created_at__gt=now - 7 * day, then=Value(AGE_BANDS[1])),
        When(created_at__gt=now - 30 * day, then=Value(AGE_BANDS[2])),
        default=Value(AGE_BANDS[3]),
        output_field=CharField(),
    )
    counts = (
        qs.annotate(pband=priority_band, aband=age_band)
        .values("role_id", "pband", "aband")
        .annotate(n=Count("id"))
        .order_by()
    )
    cells: dict[tuple[str, str], list[int]] = {}
    for row in counts:
        key = (row["role_id"], row["pband"])
        cells.setdefault(key, [0] * len(AGE_BANDS))[AGE_BANDS.index(row["aband"])] = row["n"]
    rows = [
        SummaryRow(role=role, priority_band=band, counts=cells[(role, band)])
        for role, band in sorted(cells, key=lambda k: (k[0], PRIORITY_BANDS.index(k[1])))
    ]
    return Summary(rows=rows, age_bands=AGE_BANDS, as_of=now)
