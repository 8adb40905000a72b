"""Forms of the CSR interface. They only shape what the user typed; the services decide what is valid,
and their per-field messages are put back on these forms by `errors_apply`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms

from custcare.contacts.models import ContactMethod, ContactTypeCharacteristic, Direction
from custcare.customers.models import (
    AccessGroup,
    Account,
    CustomerClass,
    IdentifierType,
    Person,
    PersonPhone,
    Premise,
    PremiseType,
    SAType,
    user_access_group_ids,
)

LANGUAGES = [("en", "English"), ("es", "Spanish"), ("fr", "French"), ("de", "German"), ("zh", "Chinese")]


def errors_apply(form: forms.Form, fields: dict[str, list[str]], rules: Iterable[tuple[str, str]]) -> None:
    """Attach a service's per-field messages to the form field they concern (regex on the service's
    key -> form field name, with \\1 replaced by the first group); anything unmatched goes on top."""
    for key, messages in fields.items():
        target = None
        for pattern, name in rules:
            m = re.fullmatch(pattern, key)
            if m:
                target = name.replace("\\1", m.group(1)) if m.groups() else name
                break
        if target not in form.fields:
            target = None
        for msg in messages:
            form.add_error(target, msg)


class CsrForm(forms.Form):
    """Labels without a trailing colon: screen readers read them as they are written."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def when_field(label: str, help_text: str) -> forms.DateTimeField:
    """A date and time typed in the browser's local picker (the user's time zone is the server's)."""
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=help_text,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class SearchForm(CsrForm):
    q = forms.CharField(
        label="Search customers",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "placeholder": "Name, phone, address, account or person id"}
        ),
    )


def _person_detail_choices(person: Person) -> list[tuple[str, Any]]:
    phones = [(p.number, f"{p.get_phone_type_display()}: {p.display}") for p in person.phones.all()]
    emails = [(e.address, e.address) for e in person.emails.all()]
    choices: list[tuple[str, Any]] = [("", "— none —")]
    if phones:
        choices.append(("Phones", phones))
    if emails:
        choices.append(("Emails", emails))
    if person.address_text:
        choices.append(("Mailing address", [(person.address_text, person.address_text)]))
    return choices


class ContactAddForm(CsrForm):
    """Steps 1.1–1.2. The characteristic fields depend on the chosen type and are added per request."""

    person = forms.CharField(widget=forms.HiddenInput)
    contact_type = forms.TypedChoiceField(label="Contact type", coerce=int)
    method = forms.ChoiceField(label="Contact method", choices=ContactMethod.choices)
    contact_detail = forms.ChoiceField(label="Contact detail used", required=False)
    direction = forms.ChoiceField(
        label="Direction", choices=Direction.choices, initial=Direction.INBOUND, widget=forms.RadioSelect
    )
    is_open = forms.BooleanField(label="Open (the issue is not yet resolved)", required=False)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    account = forms.ChoiceField(label="Account in context", required=False)
    premise = forms.ChoiceField(label="Premise in context", required=False)
    contact_datetime = when_field(
        "When the contact happened", "Leave empty for now; set it when recording a call or visit afterwards."
    )
    # The shorthand last put into the description, so a new type's shorthand replaces it but never
    # what the user typed.
    shorthand_used = forms.CharField(required=False, widget=forms.HiddenInput)

    ERROR_RULES = [
        (r"characteristics\.(.+)", "char_\\1"),
        (r"account_id", "account"),
        (r"premise_id", "premise"),
        (r"person_id", "person"),
        (r"(contact_type|method|contact_detail|direction|description|is_open|contact_datetime)", "\\1"),
    ]

    def __init__(
        self,
        *args: Any,
        person: Person,
        accounts: list[Account],
        premises: list[Premise],
        contact_types: Iterable[Any],
        characteristics: list[ContactTypeCharacteristic],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        f["contact_type"].choices = [("", "— choose a type —")] + [  # type: ignore[attr-defined]
            (t.id, f"{t.contact_class_id}/{t.type_code} – {t.description}") for t in contact_types
        ]
        f["contact_type"].widget.attrs.update({"autofocus": True})
        detail_choices = _person_detail_choices(person)
        extra = self.data.get("contact_detail") if self.is_bound else None
        if extra and not any(extra == v for _, grp in detail_choices[1:] for v, _ in grp):
            detail_choices.append(("Typed", [(extra, extra)]))  # keep a value we did not offer
        f["contact_detail"].choices = detail_choices  # type: ignore[attr-defined]
        f["account"].choices = [("", "— none —")] + [  # type: ignore[attr-defined]
            (a.id, f"{a.id} ({a.customer_class.description})") for a in accounts
        ]
        f["premise"].choices = [("", "— none —")] + [(p.id, f"{p.address_text} ({p.id})") for p in premises]  # type: ignore[attr-defined]
        self.char_names: list[str] = []
        for rule in characteristics:
            ct = rule.char_type
            name = f"char_{ct.code}"
            if ct.value_type == ct.ValueType.LIST:
                field: forms.Field = forms.ChoiceField(
                    choices=[("", "—")] + [(v, v) for v in ct.allowed_values], required=False
                )
            elif ct.value_type == ct.ValueType.DATE:
                field = forms.CharField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
            else:
                field = forms.CharField(required=False, max_length=120)
            field.label = ct.description + (" (required)" if rule.required else "")
            field.initial = rule.default_value
            f[name] = field
            self.char_names.append(name)

    def char_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in self.char_names]

    def characteristics(self) -> dict[str, str]:
        return {n.removeprefix("char_"): self.cleaned_data.get(n) or "" for n in self.char_names}


class LogAddForm(CsrForm):
    comment = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}))


class ContactCorrectForm(CsrForm):
    """Every correctable field, prefilled with the contact's values; the service keeps only changes."""

    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    method = forms.ChoiceField(label="Contact method", choices=ContactMethod.choices)
    contact_detail = forms.CharField(label="Contact detail used", required=False, max_length=200)
    direction = forms.ChoiceField(label="Direction", choices=Direction.choices)
    is_open = forms.BooleanField(label="Open", required=False)
    contact_datetime = when_field("When the contact happened", "Correct it when the contact was dated wrongly.")
    reason = forms.CharField(label="Reason for the correction", max_length=500)

    ERROR_RULES = [(r"(description|method|contact_detail|direction|is_open|contact_datetime|reason)", "\\1")]


class OpenFlagForm(CsrForm):
    reason = forms.CharField(label="Reason", max_length=500)


class HistoryFilterForm(CsrForm):
    """Filters of the contact history (step 1.4)."""

    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    contact_class = forms.ChoiceField(label="Class", required=False)
    contact_type = forms.TypedChoiceField(label="Type", required=False, coerce=int, empty_value=None)
    method = forms.ChoiceField(label="Method", required=False, choices=[("", "Any"), *ContactMethod.choices])
    is_open = forms.ChoiceField(
        label="Open", required=False, choices=[("", "Any"), ("1", "Open only"), ("0", "Resolved only")]
    )
    user = forms.CharField(label="User", required=False, max_length=150, help_text="User name")

    def __init__(self, *args: Any, contact_types: Iterable[Any], contact_classes: Iterable[Any], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["contact_class"].choices = [("", "Any")] + [(c.code, c.description) for c in contact_classes]  # type: ignore[attr-defined]
        self.fields["contact_type"].choices = [("", "Any")] + [  # type: ignore[attr-defined]
            (t.id, f"{t.contact_class_id}/{t.type_code} – {t.description}") for t in contact_types
        ]


class AuditFilterForm(CsrForm):
    entity_type = forms.CharField(label="Record type", required=False, help_text="e.g. contacts.customercontact")
    entity_id = forms.CharField(label="Record id", required=False)
    username = forms.CharField(label="User", required=False)
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To (inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _codes(model: Any, blank: str | None = None, qs: Any = None) -> list[tuple[str, str]]:
    rows = [(c.code, c.description) for c in (qs if qs is not None else model.objects.all())]
    return ([("", blank)] if blank is not None else []) + rows


class EstablishForm(CsrForm):
    """Step 1.3: person, account, premise and service agreements on one page."""

    p_name = forms.CharField(label="Name", max_length=120, help_text="Family name, given name — or the business name")
    p_kind = forms.ChoiceField(label="Person type", choices=Person.Kind.choices, initial=Person.Kind.PERSON)
    p_phone = forms.CharField(label="Phone", required=False, max_length=40)
    p_phone_type = forms.ChoiceField(label="Phone type", choices=PersonPhone.PhoneType.choices, required=False)
    p_email = forms.CharField(label="Email", required=False, max_length=254)
    p_id_type = forms.ChoiceField(label="Identifier type", required=False)
    p_id_value = forms.CharField(label="Identifier value", required=False, max_length=40)
    p_house_number = forms.CharField(label="House number", required=False, max_length=20)
    p_street = forms.CharField(label="Street", required=False, max_length=120)
    p_address2 = forms.CharField(label="Address line 2", required=False, max_length=120)
    p_city = forms.CharField(label="City", required=False, max_length=80)
    p_state = forms.CharField(label="State / region", required=False, max_length=40)
    p_postal_code = forms.CharField(label="Postal code", required=False, max_length=20)
    p_language = forms.ChoiceField(label="Preferred language", choices=LANGUAGES, initial="en")
    p_life_support = forms.BooleanField(label="Life support / sensitive load", required=False)
    p_life_support_description = forms.CharField(label="Equipment", required=False, max_length=200)
    a_customer_class = forms.ChoiceField(label="Customer class")
    a_access_group = forms.ChoiceField(label="Access group")
    a_cash_only = forms.BooleanField(label="Cash only", required=False)
    pr_same_as_mailing = forms.BooleanField(label="Service address is the mailing address", required=False)
    pr_house_number = forms.CharField(label="House number", required=False, max_length=20)
    pr_street = forms.CharField(label="Street", required=False, max_length=120)
    pr_address2 = forms.CharField(label="Address line 2", required=False, max_length=120)
    pr_city = forms.CharField(label="City", required=False, max_length=80)
    pr_state = forms.CharField(label="State / region", required=False, max_length=40)
    pr_postal_code = forms.CharField(label="Postal code", required=False, max_length=20)
    pr_premise_type = forms.ChoiceField(label="Premise type", required=False)
    sa_types = forms.MultipleChoiceField(
        label="Service agreements to start", required=False, widget=forms.CheckboxSelectMultiple
    )

    ERROR_RULES = [
        (r"person\.names.*", "p_name"),
        (r"person\.phones\.\d+\.number", "p_phone"),
        (r"person\.phones\.\d+\.phone_type", "p_phone_type"),
        (r"person\.emails\..*", "p_email"),
        (r"person\.identifiers\.\d+\.value", "p_id_value"),
        (r"person\.identifiers\.\d+\.id_type", "p_id_type"),
        (r"person\.preferred_language", "p_language"),
        (r"person\.(.+)", "p_\\1"),
        (r"account\.(.+)", "a_\\1"),
        (r"premise\.(.+)", "pr_\\1"),
        (r"sa_types.*", "sa_types"),
    ]
    ADDRESS = ("house_number", "street", "address2", "city", "state", "postal_code")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        f["p_id_type"].choices = _codes(IdentifierType, "— none —")  # type: ignore[attr-defined]
        f["a_customer_class"].choices = _codes(CustomerClass, "— choose —")  # type: ignore[attr-defined]
        groups = AccessGroup.objects.all()
        if not getattr(user, "is_superuser", False):
            groups = groups.filter(code__in=user_access_group_ids(user))
        f["a_access_group"].choices = _codes(AccessGroup, "— choose —", groups)  # type: ignore[attr-defined]
        f["pr_premise_type"].choices = _codes(PremiseType, "— no premise yet —")  # type: ignore[attr-defined]
        f["sa_types"].choices = _codes(SAType)  # type: ignore[attr-defined]
        f["p_name"].widget.attrs["autofocus"] = True
