"""The CSR web interface: thin adapters that read through selectors, write through services, and put
the services' messages back on the forms so that nothing a user typed is lost."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from custcare.contacts.models import ContactMethod, CustomerContact
from custcare.contacts.selectors import (
    ContactFilters,
    contact_class_list,
    contact_get,
    contact_history,
    contact_type_config_get,
    contact_type_list,
)
from custcare.contacts.services import contact_correct, contact_log_add, customer_contact_add
from custcare.core.errors import AccessDenied, NotFound, ValidationFailed
from custcare.core.selectors import audit_list
from custcare.customers.models import Person, Premise
from custcare.customers.normalize import PhoneError, phone_e164
from custcare.customers.search import customer_search
from custcare.customers.selectors import (
    account_detail_get,
    account_get,
    account_premises,
    person_detail_get,
    person_get,
    service_agreement_list,
)
from custcare.customers.services import (
    AccountIn,
    AddressIn,
    DuplicatesFound,
    IdentifierIn,
    NameIn,
    PersonIn,
    PhoneIn,
    PremiseIn,
    person_account_establish,
)
from custcare.security.context import user_security_context_load
from custcare.security.roles import can
from custcare.web.forms import (
    AuditFilterForm,
    ContactAddForm,
    ContactCorrectForm,
    EstablishForm,
    HistoryFilterForm,
    LogAddForm,
    OpenFlagForm,
    SearchForm,
    errors_apply,
)

HISTORY_PAGE_SIZE = 20
AUDIT_PAGE_SIZE = 50

View = Callable[..., HttpResponse]


def csr_view(view: View) -> View:
    """Signed in, the user's roles and access groups read once, and domain refusals shown as the
    HTTP errors a browser understands (a customer outside your access groups does not exist for you)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user_security_context_load(request.user)
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except AccessDenied as exc:
            raise PermissionDenied(exc.message) from exc

    return wrapper


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# Search (step 1.0)


@csr_view
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = (request.GET.get("q") or "").strip()
    result = None
    error = ""
    if query:
        try:
            result = customer_search(query=query, user=request.user)
        except ValidationFailed as exc:
            error = exc.message
        if result is not None and result.unique_account_id and not _is_htmx(request):
            return redirect("central:account", account_id=result.unique_account_id)
    context = {"form": form, "query": query, "result": result, "error": error}
    if _is_htmx(request):
        return render(request, "web/_search_results.html", context)
    return render(request, "web/search.html", context)


# Person and account pages with the contact history (step 1.4)


def _history_context(request: HttpRequest, *, person_id: str = "", account_id: str = "") -> dict[str, Any]:
    types = list(contact_type_list(active_only=False))
    form = HistoryFilterForm(request.GET or None, contact_types=types, contact_classes=contact_class_list())
    filters = ContactFilters(person_id=person_id or None, account_id=account_id or None)
    if form.is_valid():
        data = form.cleaned_data
        filters.date_from = data["date_from"]
        filters.date_to = data["date_to"]
        filters.contact_class = data["contact_class"] or None
        filters.contact_type_id = data["contact_type"]
        filters.method = data["method"] or None
        filters.is_open = {"1": True, "0": False}.get(data["is_open"])
        if data["user"]:
            uid = get_user_model().objects.filter(username=data["user"].strip()).values_list("pk", flat=True).first()
            filters.user_id = uid if uid is not None else -1
    page = Paginator(contact_history(filters=filters, user=request.user), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    base = (
        reverse("web:person_history", args=[person_id])
        if person_id
        else reverse("web:account_history", args=[account_id])
    )
    query = request.GET.copy()
    query.pop("page", None)
    return {"history_form": form, "page": page, "history_url": base, "history_query": query.urlencode()}


def _person_accounts(request: HttpRequest, person: Person) -> list[dict[str, Any]]:
    """The person's visible accounts, each with the premises it is served at (one query for all)."""
    links = list(person.account_persons.all())
    premises: dict[str, dict[str, Premise]] = {link.account_id: {} for link in links}
    if links:
        sas = service_agreement_list(user=request.user).filter(account_id__in=list(premises))
        for sa in sas:
            if sa.premise is not None:
                premises[sa.account_id].setdefault(sa.premise.id, sa.premise)
    for link in links:
        mp = link.account.mailing_premise
        if mp is not None:
            premises[link.account_id].setdefault(mp.id, mp)
    return [
        {"link": link, "account": link.account, "premises": list(premises[link.account_id].values())} for link in links
    ]


@csr_view
def person_page(request: HttpRequest, person_id: str) -> HttpResponse:
    person = person_detail_get(person_id=person_id, user=request.user)
    context = {"person": person, "accounts": _person_accounts(request, person)}
    context.update(_history_context(request, person_id=person.id))
    return render(request, "web/person.html", context)


@csr_view
def person_history(request: HttpRequest, person_id: str) -> HttpResponse:
    """HTMX: the filtered, paged history alone; without HTMX the whole person page."""
    if not _is_htmx(request):
        return redirect(f"{reverse('web:person', args=[person_id])}?{request.GET.urlencode()}#history")
    person_get(person_id=person_id, user=request.user)
    return render(request, "web/_history.html", _history_context(request, person_id=person_id))


@csr_view
def account_page(request: HttpRequest, account_id: str) -> HttpResponse:
    account = account_detail_get(account_id=account_id, user=request.user)
    main = next((ap for ap in account.account_persons.all() if ap.main_customer), None)
    context = {
        "account": account,
        "main": main,
        "premises": account_premises(account),
        "service_agreements": [sa for sa in account.service_agreements.all() if sa.status != "CN"],
    }
    context.update(_history_context(request, account_id=account.id))
    return render(request, "web/account.html", context)


@csr_view
def account_history(request: HttpRequest, account_id: str) -> HttpResponse:
    if not _is_htmx(request):
        return redirect(f"{reverse('web:account', args=[account_id])}?{request.GET.urlencode()}#history")
    account_get(account_id=account_id, user=request.user)
    return render(request, "web/_history.html", _history_context(request, account_id=account_id))


# Adding a contact (steps 1.1–1.2)


def _contact_form(request: HttpRequest, data: QueryDict | None, initial: dict[str, Any]) -> tuple[ContactAddForm, Any]:
    """The add-contact form for the person named in the data, with the chosen type's characteristics."""
    source = data if data is not None else QueryDict(mutable=True)
    person_id = source.get("person") or initial.get("person") or ""
    person = person_detail_get(person_id=person_id, user=request.user)
    type_id = source.get("contact_type") or initial.get("contact_type")
    config = None
    if type_id:
        try:
            config = contact_type_config_get(contact_type_id=int(type_id))
        except (ValueError, ValidationFailed):
            config = None
    accounts = [ap.account for ap in person.account_persons.all()]
    premises = [p for acct in _person_accounts(request, person) for p in acct["premises"]]
    form = ContactAddForm(
        data,
        initial=initial,
        person=person,
        accounts=accounts,
        premises=list({p.id: p for p in premises}.values()),
        contact_types=contact_type_list(),
        characteristics=config.characteristics if config else [],
    )
    return form, (person, config)


@csr_view
def contact_add(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form, (person, config) = _contact_form(request, request.POST, {})
        if form.is_valid():
            data = form.cleaned_data
            try:
                contact = customer_contact_add(
                    user=request.user,
                    contact_type_id=data["contact_type"],
                    method=data["method"],
                    person_id=person.id,
                    account_id=data["account"] or None,
                    premise_id=data["premise"] or None,
                    description=data["description"],
                    direction=data["direction"],
                    is_open=data["is_open"],
                    contact_detail=data["contact_detail"],
                    characteristics=form.characteristics(),
                    contact_datetime=data["contact_datetime"],
                )
            except ValidationFailed as exc:
                errors_apply(form, exc.fields, ContactAddForm.ERROR_RULES)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    f"Contact {contact.id} recorded: {config.contact_type.description if config else ''}.",
                    extra_tags=reverse("web:contact", args=[contact.id]),
                )
                return redirect("web:person", person_id=person.id)
        status = 422
    else:
        person_id = request.GET.get("person", "")
        account_id = request.GET.get("account", "")
        if not person_id and account_id:
            account = account_detail_get(account_id=account_id, user=request.user)
            main = next((ap for ap in account.account_persons.all() if ap.main_customer), None)
            if main is None:
                raise Http404("This account has no main customer.")
            person_id = main.person_id
        initial: dict[str, Any] = {
            "person": person_id,
            "account": account_id,
            "premise": request.GET.get("premise", ""),
        }
        form, (person, config) = _contact_form(request, None, initial)
        if not account_id and len(form.fields["account"].choices) == 2:  # type: ignore[attr-defined]
            form.initial["account"] = form.fields["account"].choices[1][0]  # type: ignore[attr-defined]
        status = 200
    return render(request, "web/contact_add.html", {"form": form, "person": person, "config": config}, status=status)


@csr_view
def contact_type_fields(request: HttpRequest) -> HttpResponse:
    """HTMX: the fields that depend on the chosen contact type, keeping what the user already typed.
    The type's default method, open flag and shorthand replace only values the user did not type."""
    values = {k: request.GET.get(k, "") for k in ("person", "contact_type", "contact_detail", "account", "premise")}
    values["direction"] = request.GET.get("direction") or "IN"
    form, (_person, config) = _contact_form(request, None, values)
    description = request.GET.get("description", "")
    previous_shorthand = request.GET.get("shorthand_used", "")
    initial = form.initial
    for name in form.char_names:
        if request.GET.get(name):
            initial[name] = request.GET[name]
    if config is not None:
        ctype = config.contact_type
        initial["method"] = ctype.default_method
        initial["is_open"] = ctype.default_open
        if not description.strip() or description.strip() == previous_shorthand.strip():
            description = ctype.shorthand
            initial["shorthand_used"] = ctype.shorthand
        else:
            initial["shorthand_used"] = previous_shorthand
    else:
        initial["method"] = request.GET.get("method") or ContactMethod.PHONE
        initial["is_open"] = request.GET.get("is_open") == "on"
    initial["description"] = description
    return render(request, "web/_contact_type_fields.html", {"form": form, "config": config})


# Contact detail, log and corrections (step 1.4)


def _correct_initial(contact: CustomerContact) -> dict[str, Any]:
    return {
        "description": contact.description,
        "method": contact.method,
        "contact_detail": contact.contact_detail,
        "direction": contact.direction,
        "is_open": contact.is_open,
        "contact_datetime": timezone.localtime(contact.contact_datetime),
    }


def _contact_page(
    request: HttpRequest,
    contact: CustomerContact,
    *,
    log_form: LogAddForm | None = None,
    correct_form: ContactCorrectForm | None = None,
    open_form: OpenFlagForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "contact": contact,
        "log_form": log_form or LogAddForm(),
        "correct_form": correct_form or ContactCorrectForm(initial=_correct_initial(contact)),
        "open_form": open_form or OpenFlagForm(),
    }
    return render(request, "web/contact_detail.html", context, status=status)


@csr_view
def contact_detail(request: HttpRequest, contact_id: str) -> HttpResponse:
    return _contact_page(request, contact_get(contact_id=contact_id, user=request.user))


@csr_view
@require_POST
def contact_log(request: HttpRequest, contact_id: str) -> HttpResponse:
    contact = contact_get(contact_id=contact_id, user=request.user)
    form = LogAddForm(request.POST)
    if form.is_valid():
        try:
            contact_log_add(contact=contact, comment=form.cleaned_data["comment"], user=request.user)
        except ValidationFailed as exc:
            errors_apply(form, exc.fields, [(r"comment", "comment")])
        else:
            messages.success(request, "Note added to the log.")
            return redirect(reverse("web:contact", args=[contact.id]) + "#log")
    return _contact_page(request, contact, log_form=form, status=422)


@csr_view
@require_POST
def contact_correction(request: HttpRequest, contact_id: str) -> HttpResponse:
    contact = contact_get(contact_id=contact_id, user=request.user)
    form = ContactCorrectForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        shown = timezone.localtime(contact.contact_datetime).replace(second=0, microsecond=0)
        if data.get("contact_datetime") in (None, shown):
            data.pop("contact_datetime", None)  # left empty or as shown (to the minute): unchanged
        try:
            contact_correct(contact=contact, changes=data, reason=reason, user=request.user)
        except ValidationFailed as exc:
            contact = contact_get(contact_id=contact_id, user=request.user)  # the refused values were not saved
            errors_apply(form, exc.fields, ContactCorrectForm.ERROR_RULES)
            if "changes" in exc.fields or not exc.fields:
                form.add_error(None, exc.message)
        else:
            messages.success(request, "Correction recorded in the log.")
            return redirect(reverse("web:contact", args=[contact.id]) + "#log")
    return _contact_page(request, contact, correct_form=form, status=422)


@csr_view
@require_POST
def contact_open_flag(request: HttpRequest, contact_id: str) -> HttpResponse:
    """Close or reopen the customer's issue: a correction of the open flag with its reason."""
    contact = contact_get(contact_id=contact_id, user=request.user)
    form = OpenFlagForm(request.POST)
    if form.is_valid():
        try:
            contact_correct(
                contact=contact,
                changes={"is_open": not contact.is_open},
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ValidationFailed as exc:
            contact = contact_get(contact_id=contact_id, user=request.user)
            errors_apply(form, exc.fields, [(r"reason", "reason")])
        else:
            messages.success(request, "Issue reopened." if contact.is_open else "Issue resolved.")
            return redirect(reverse("web:contact", args=[contact.id]) + "#log")
    return _contact_page(request, contact, open_form=form, status=422)


# Establishing a person and an account (step 1.3)

_ADDRESS_QUERY = re.compile(r"^(\d+[A-Za-z]?)\s+(\D.*)$")


def establish_prefill(query: str) -> dict[str, Any]:
    """Read a search that found nothing as the start of a new customer: a phone, an address or a name."""
    query = query.strip()
    if not query:
        return {}
    if not re.search(r"[A-Za-z]", query) and sum(c.isdigit() for c in query) >= 7:
        try:
            phone_e164(query)
            return {"p_phone": query}
        except PhoneError:
            pass
    m = _ADDRESS_QUERY.match(query)
    if m:
        return {"p_house_number": m.group(1), "p_street": m.group(2).strip(), "pr_same_as_mailing": True}
    return {"p_name": query}


def _establish_inputs(data: dict[str, Any]) -> dict[str, Any]:
    person_address = AddressIn(**{k: data[f"p_{k}"] for k in EstablishForm.ADDRESS})
    person = PersonIn(
        names=[NameIn(name=data["p_name"])],
        kind=data["p_kind"],
        phones=[PhoneIn(number=data["p_phone"], phone_type=data["p_phone_type"] or "HOME")] if data["p_phone"] else [],
        emails=[data["p_email"]] if data["p_email"] else [],
        identifiers=[IdentifierIn(id_type=data["p_id_type"], value=data["p_id_value"], is_primary=True)]
        if data["p_id_type"] or data["p_id_value"]
        else [],
        address=person_address,
        preferred_language=data["p_language"],
        life_support=data["p_life_support"],
        life_support_description=data["p_life_support_description"],
    )
    account = AccountIn(
        customer_class=data["a_customer_class"], access_group=data["a_access_group"], cash_only=data["a_cash_only"]
    )
    premise = None
    if data["pr_same_as_mailing"]:
        premise = PremiseIn(address=person_address, premise_type=data["pr_premise_type"])
    elif data["pr_premise_type"] or data["pr_street"]:
        address = AddressIn(**{k: data[f"pr_{k}"] for k in EstablishForm.ADDRESS})
        premise = PremiseIn(address=address, premise_type=data["pr_premise_type"])
    return {"person": person, "account": account, "premise": premise, "sa_types": list(data["sa_types"])}


@csr_view
def establish(request: HttpRequest) -> HttpResponse:
    candidates: list[Any] = []
    status = 200
    if request.method == "POST":
        form = EstablishForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                done = person_account_establish(
                    user=request.user,
                    confirm_not_duplicate=request.POST.get("confirm_not_duplicate") == "1",
                    **_establish_inputs(form.cleaned_data),
                )
            except DuplicatesFound as exc:
                candidates = exc.candidates
            except ValidationFailed as exc:
                errors_apply(form, exc.fields, EstablishForm.ERROR_RULES)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                messages.success(
                    request, f"Established {done.person.primary_name} ({done.person.id}) and account {done.account.id}."
                )
                return redirect("web:account", account_id=done.account.id)
        status = 409 if candidates else 422
    else:
        form = EstablishForm(initial=establish_prefill(request.GET.get("q", "")), user=request.user)
    return render(request, "web/establish.html", {"form": form, "candidates": candidates}, status=status)


# Audit trail (supervisors)


@csr_view
def audit(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "audit.read"):
        raise PermissionDenied("Only supervisors and administrators may read the audit trail.")
    form = AuditFilterForm(request.GET or None)
    kwargs: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        tz = timezone.get_current_timezone()
        kwargs = {
            "entity_type": data["entity_type"] or None,
            "entity_id": data["entity_id"] or None,
            "username": data["username"] or None,
            "since": dt.datetime.combine(data["since"], dt.time.min, tz) if data["since"] else None,
            "until": dt.datetime.combine(data["until"] + dt.timedelta(days=1), dt.time.min, tz)
            if data["until"]
            else None,
        }
    page: Page[Any] = Paginator(audit_list(**kwargs), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/audit.html", {"form": form, "page": page, "query": query.urlencode()})
