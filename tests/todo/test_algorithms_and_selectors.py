"""CI_TDT-INFO and CI_VAL-SKILL, the worklist (order, scope, query count), entry detail and the summary."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from custcare.algorithms.models import Algorithm
from custcare.algorithms.services import algorithm_save
from custcare.core.errors import AccessDenied, NotFound, ValidationFailed
from custcare.todo.models import ToDoType
from custcare.todo.selectors import AGE_BANDS, todo_entry_detail, todo_summary, worklist
from custcare.todo.services import assignment_warnings
from tests.todo.conftest import entry_make, give_skill, member, require_skill

DAY = dt.timedelta(days=1)


def test_reference_load_wires_the_algorithms_into_the_starter_types(todo_config):
    ttype = ToDoType.objects.get(code="TD-CCCB")
    assert (ttype.info_algorithm.algorithm_type, ttype.assignment_algorithm.algorithm_type) == (
        "CI_TDT-INFO",
        "CI_VAL-SKILL",
    )


def test_info_text_fills_the_message_and_names_the_required_skills(worker, customer):
    require_skill("TD-CCCB", "BILLING", 2)
    entry = entry_make(message="customer disputes the bill", person=customer["person"], contact=None)
    text = todo_entry_detail(entry_id=entry.id, user=worker).info
    assert text == "Follow up customer contact : customer disputes the bill · Requires: BILLING ≥ 2"
    ToDoType.objects.filter(code="TD-CCCB").update(message_text="{person}: {comment} {unknown}")
    assert todo_entry_detail(entry_id=entry.id, user=worker).info.startswith(
        "Rivera, Maria: customer disputes the bill {unknown} · Requires"
    )


def test_info_text_without_skills_when_configured_so(worker, admin_user):
    require_skill("TD-CCCB", "BILLING", 2)
    algorithm_save(
        code="CI_TDT-INFO",
        algorithm_type="CI_TDT-INFO",
        description="no skills",
        parameters={"include_skills": False},
        user=admin_user,
    )
    entry = entry_make(message="hello")
    assert todo_entry_detail(entry_id=entry.id, user=worker).info == "Follow up customer contact : hello"


def test_algorithm_parameters_are_validated_when_saved(admin_user, todo_config):
    with pytest.raises(ValidationFailed):
        algorithm_save(
            code="X", algorithm_type="CI_VAL-SKILL", description="x", parameters={"skills": ["NOPE"]}, user=admin_user
        )
    with pytest.raises(ValidationFailed):
        algorithm_save(
            code="Y", algorithm_type="CI_TDT-INFO", description="y", parameters={"bogus": 1}, user=admin_user
        )
    assert not Algorithm.objects.filter(code__in=["X", "Y"]).exists()


def test_skill_check_warns_for_missing_and_low_levels_only(worker, colleague):
    require_skill("TD-CCCB", "BILLING", 2)
    require_skill("TD-CCCB", "LANG-ES", 1)
    ttype = ToDoType.objects.get(code="TD-CCCB")
    assert assignment_warnings(todo_type=ttype, assignee=colleague) == [
        "csr2 does not have the skill BILLING (level 2 is required).",
        "csr2 does not have the skill LANG-ES (level 1 is required).",
    ]
    give_skill(colleague, "BILLING", 5)
    give_skill(colleague, "LANG-ES", 1)
    assert assignment_warnings(todo_type=ttype, assignee=colleague) == []
    ToDoType.objects.filter(code="TD-CCCB").update(assignment_algorithm=None)
    ttype.refresh_from_db()
    give_skill(colleague, "BILLING", 1)
    assert assignment_warnings(todo_type=ttype, assignee=colleague) == []


# worklist


def test_worklist_lists_mine_and_my_roles_open_entries_by_priority_then_age(worker, colleague):
    mine = entry_make(assigned_to=worker, priority=40)
    old = entry_make(priority=30, age=5 * DAY)
    new = entry_make(priority=30, age=DAY)
    urgent = entry_make(priority=1)
    entry_make(assigned_to=colleague, priority=1)  # colleague's
    entry_make(role="BILLING", priority=1)  # another role
    page = worklist(user=worker)
    assert [r.entry for r in page.rows] == [urgent, old, new, mine]
    assert page.total == 4 and [r.mine for r in page.rows] == [False, False, False, True]
    assert [r.entry for r in worklist(user=worker, scope="mine").rows] == [mine]
    assert worklist(user=worker, scope="roles").total == 3


def test_worklist_pages(worker):
    entries = [entry_make(priority=p) for p in range(1, 8)]
    first = worklist(user=worker, page_size=3)
    third = worklist(user=worker, page=3, page_size=3)
    assert [r.entry for r in first.rows] == entries[:3] and first.has_next
    assert [r.entry for r in third.rows] == entries[6:] and not third.has_next and third.has_previous


def _worklist_queries(user) -> int:
    if hasattr(user, "_custcare_roles"):
        del user._custcare_roles
    with CaptureQueriesContext(connection) as ctx:
        page = worklist(user=user)
        assert all(r.info for r in page.rows)
    return len(ctx.captured_queries)


def test_worklist_query_count_does_not_grow_with_the_entries(worker, customer):
    member(worker, role="BILLING")
    require_skill("TD-CCCB", "BILLING", 1)
    for i in range(3):
        entry_make(person=customer["person"], priority=i + 1)
    few = _worklist_queries(worker)
    for i in range(30):
        entry_make(person=customer["person"], role="BILLING" if i % 2 else "CSR-FOLLOWUP", todo_type="TD-MANUAL")
        entry_make(assigned_to=worker, person=customer["person"])
    many = _worklist_queries(worker)
    # roles, count, own entries, one per role (2), types with algorithms, required skills; access groups
    assert few == many <= 8


# detail and access


def test_detail_has_the_log_and_links_the_user_may_see(worker, customer):
    entry = entry_make(person=customer["person"], account=customer["account"])
    detail = todo_entry_detail(entry_id=entry.id, user=worker)
    assert detail.person_visible and detail.account_visible and not detail.contact_visible
    assert detail.drill_down == ("PERSON", customer["person"].id)
    assert detail.may_work and not detail.supervises


def test_detail_hides_entries_of_accounts_outside_the_access_groups_and_of_other_roles(
    customer, csr_commercial, worker
):
    member(csr_commercial)
    entry = entry_make(account=customer["account"])
    with pytest.raises(NotFound):
        todo_entry_detail(entry_id=entry.id, user=csr_commercial)
    billing = entry_make(role="BILLING")
    with pytest.raises(NotFound):
        todo_entry_detail(entry_id=billing.id, user=worker)


# summary


def test_summary_counts_by_role_priority_and_age_in_one_query(supervisor, todo_config):
    now = timezone.now()
    entry_make(priority=5, age=dt.timedelta(hours=2))
    entry_make(priority=5, age=3 * DAY)
    entry_make(priority=45, age=40 * DAY)
    entry_make(priority=90, role="BILLING", age=10 * DAY)
    done = entry_make(priority=5)
    done.status = "C"
    done.save()
    with CaptureQueriesContext(connection) as ctx:
        summary = todo_summary(user=supervisor, now=now)
    aggregate = [q for q in ctx.captured_queries if "todo_todoentry" in q["sql"]]
    assert len(aggregate) == 1
    table = {(r.role, r.priority_band): dict(zip(AGE_BANDS, r.counts, strict=True)) for r in summary.rows}
    assert table[("CSR-FOLLOWUP", "1–20")] == {"< 1 day": 1, "1–7 days": 1, "7–30 days": 0, "> 30 days": 0}
    assert table[("CSR-FOLLOWUP", "21–50")]["> 30 days"] == 1
    assert table[("BILLING", "51–100")]["7–30 days"] == 1
    assert summary.total == 4


def test_summary_for_a_role_supervisor_covers_their_roles_and_is_refused_to_others(lead, worker):
    entry_make()
    entry_make(role="BILLING")
    assert {r.role for r in todo_summary(user=lead).rows} == {"CSR-FOLLOWUP"}
    with pytest.raises(AccessDenied):
        todo_summary(user=worker)
