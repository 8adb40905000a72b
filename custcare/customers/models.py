"""Persons, accounts, premises and service agreements: the customer records that contacts hang on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from custcare.core.ids import new_id
from custcare.core.models import CodeTable
from custcare.customers.normalize import mask, phone_display


def cis_id_field() -> models.CharField:
    return models.CharField(max_length=10, primary_key=True, default=new_id, editable=False)


class AccessGroup(CodeTable):
    """Data security: an account belongs to one access group; users see the accounts of their groups."""

    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="access_groups")


class CustomerClass(CodeTable):
    pass

    class Meta(CodeTable.Meta):
        verbose_name_plural = "customer classes"


class Division(CodeTable):
    pass


class PremiseType(CodeTable):
    pass


class IdentifierType(CodeTable):
    pass


class SAType(CodeTable):
    class Service(models.TextChoices):
        ELECTRIC = "E", "Electricity"
        GAS = "G", "Gas"
        WATER = "W", "Water"
        OTHER = "O", "Other"

    service = models.CharField(max_length=1, choices=Service.choices, default=Service.ELECTRIC)
    billable = models.BooleanField(default=True)

    class Meta(CodeTable.Meta):
        verbose_name = "SA type"


def user_access_group_ids(user: Any) -> list[str]:
    cached = getattr(user, "_custcare_access_groups", None)
    if cached is None:
        cached = list(user.access_groups.values_list("code", flat=True))
        user._custcare_access_groups = cached
    return cached


def sees_everything(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


class AccountQuerySet(models.QuerySet["Account"]):
    def visible_to(self, user: Any) -> AccountQuerySet:
        if sees_everything(user):
            return self
        return self.filter(access_group_id__in=user_access_group_ids(user))


class PersonQuerySet(models.QuerySet["Person"]):
    def visible_to(self, user: Any) -> PersonQuerySet:
        """Persons with an account in the user's access groups, and persons with no account yet
        (just established, or a prospect): those carry no account data to protect."""
        if sees_everything(user):
            return self
        links = AccountPerson.objects.filter(person=OuterRef("pk"))
        return self.filter(
            Exists(links.filter(account__access_group_id__in=user_access_group_ids(user))) | ~Exists(links)
        )


class PremiseQuerySet(models.QuerySet["Premise"]):
    def visible_to(self, user: Any) -> PremiseQuerySet:
        """Premises served for a visible account, and premises with no service agreement."""
        if sees_everything(user):
            return self
        sas = ServiceAgreement.objects.filter(premise=OuterRef("pk"))
        return self.filter(Exists(sas.filter(account__access_group_id__in=user_access_group_ids(user))) | ~Exists(sas))


class Address(models.Model):
    """A postal address: house number and street are kept apart so a caller's 'twelve Elm' finds it."""

    house_number = models.CharField(max_length=20, blank=True)
    street = models.CharField(max_length=120, blank=True)
    address2 = models.CharField("address line 2", max_length=120, blank=True)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField("state / region", max_length=40, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US")

    class Meta:
        abstract = True

    @property
    def address_line(self) -> str:
        return " ".join(p for p in (self.house_number, self.street) if p)

    @property
    def address_text(self) -> str:
        parts = [self.address_line, self.address2, " ".join(p for p in (self.city, self.state, self.postal_code) if p)]
        return ", ".join(p for p in parts if p)


class Person(Address):
    """A customer: an individual or a business. The address fields are the person's mailing address."""

    class Kind(models.TextChoices):
        PERSON = "P", "Individual"
        BUSINESS = "B", "Business"

    id = cis_id_field()
    kind = models.CharField(max_length=1, choices=Kind.choices, default=Kind.PERSON)
    preferred_language = models.CharField(max_length=8, default="en")
    date_of_birth = models.DateField(null=True, blank=True)
    override_mail_name = models.CharField(max_length=120, blank=True)
    life_support = models.BooleanField("life support / sensitive load", default=False)
    life_support_description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Denormalised for list pages; the PersonName rows are the truth and are what search reads.
    primary_name = models.CharField(max_length=120, db_index=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["primary_name", "id"]

    def __str__(self) -> str:
        return f"{self.primary_name} ({self.id})"


class PersonName(models.Model):
    """A name a person is known by: one primary, others aliases (maiden name, trading name, ...)."""

    class NameType(models.TextChoices):
        PRIMARY = "PRIM", "Primary"
        ALIAS = "ALIAS", "Alias"
        DBA = "DBA", "Doing business as"
        MAIDEN = "MAIDEN", "Maiden name"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    name_type = models.CharField(max_length=8, choices=NameType.choices, default=NameType.PRIMARY)
    is_primary = models.BooleanField(default=False)
    name = models.CharField(max_length=120, help_text="As written, e.g. 'Müller, Anna' or 'Acme Ltd'.")
    search_name = models.CharField(max_length=120, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(is_primary=True), name="one_primary_name")
        ]
        # Covering indexes (PostgreSQL; SQLite indexes the key columns only) for customer search: the
        # persons of a spelling, and a person's other names, are read from the index alone.
        indexes = [
            models.Index(
                fields=["search_name", "person"],
                include=["id", "name", "name_type", "is_primary"],
                name="personname_search_cover",
            ),
            models.Index(
                fields=["person"], include=["id", "is_primary", "search_name"], name="personname_person_cover"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PersonPhone(models.Model):
    class PhoneType(models.TextChoices):
        HOME = "HOME", "Home"
        MOBILE = "MOBILE", "Mobile"
        BUSINESS = "BUSN", "Business"
        FAX = "FAX", "Fax"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    phone_type = models.CharField(max_length=8, choices=PhoneType.choices, default=PhoneType.HOME)
    number = models.CharField(max_length=20, db_index=True, help_text="E.164, e.g. +15551234567")
    extension = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["id"]
        # A person's first phone (lowest id) straight from the index, for search results.
        indexes = [
            models.Index(fields=["person", "id"], include=["number", "extension"], name="personphone_person_first")
        ]

    @property
    def display(self) -> str:
        ext = f" x{self.extension}" if self.extension else ""
        return f"{phone_display(self.number)}{ext}"

    def __str__(self) -> str:
        return f"{self.get_phone_type_display()}: {self.display}"


class PersonEmail(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="emails")
    address = models.EmailField(db_index=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return self.address


class PersonIdentifier(models.Model):
    """Tax id, driver's licence, passport...: searchable by exact value, always shown masked."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    id_type = models.ForeignKey(IdentifierType, on_delete=models.PROTECT)
    value = models.CharField(max_length=40)
    search_value = models.CharField(max_length=40, db_index=True, editable=False)
    is_primary = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["id_type", "search_value"], name="unique_identifier_value")]

    @property
    def masked(self) -> str:
        return mask(self.value)

    def __str__(self) -> str:
        return f"{self.id_type_id} {self.masked}"


class Premise(Address):
    """A service address: where the utility delivers electricity, gas or water."""

    id = cis_id_field()
    premise_type = models.ForeignKey(PremiseType, on_delete=models.PROTECT)
    division = models.ForeignKey(Division, null=True, blank=True, on_delete=models.PROTECT)
    street_key = models.CharField(max_length=120, editable=False, db_index=True)
    life_support = models.BooleanField("life support / sensitive load", default=False)
    life_support_description = models.CharField(max_length=200, blank=True)
    mailing_address = models.TextField(
        blank=True, help_text="Overrides the service address for mail sent about this premise."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PremiseQuerySet.as_manager()

    class Meta:
        ordering = ["street_key", "house_number", "id"]
        indexes = [models.Index(fields=["house_number", "street_key"], name="premise_address_idx")]

    def __str__(self) -> str:
        return f"{self.address_text} ({self.id})"


class Account(models.Model):
    """The financial relationship: what is billed, to whom, and who may see it (access group)."""

    id = cis_id_field()
    customer_class = models.ForeignKey(CustomerClass, on_delete=models.PROTECT)
    division = models.ForeignKey(Division, null=True, blank=True, on_delete=models.PROTECT)
    bill_cycle = models.CharField(max_length=8, blank=True)
    setup_date = models.DateField()
    mailing_premise = models.ForeignKey(
        Premise, null=True, blank=True, on_delete=models.PROTECT, related_name="mailing_accounts"
    )
    currency = models.CharField(max_length=3, default="USD")
    collection_class = models.CharField(max_length=8, blank=True)
    access_group = models.ForeignKey(AccessGroup, on_delete=models.PROTECT, related_name="accounts")
    cash_only = models.BooleanField(default=False)
    credit_rating = models.IntegerField(default=1000, help_text="Credit rating points (lower is worse).")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Account {self.id}"


class AccountPerson(models.Model):
    """How a person relates to an account. Exactly one main customer per account."""

    class RelationshipType(models.TextChoices):
        MAIN = "MAIN", "Main customer"
        SPOUSE = "SPOUSE", "Spouse / partner"
        TENANT = "TENANT", "Tenant"
        LANDLORD = "LANDLORD", "Landlord"
        AGENT = "AGENT", "Agent / third party"
        OTHER = "OTHER", "Other"

    class BillAddressSource(models.TextChoices):
        PERSON = "PER", "Person's mailing address"
        PREMISE = "PREM", "Account's mailing premise"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="account_persons")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="account_persons")
    relationship_type = models.CharField(max_length=10, choices=RelationshipType.choices)
    main_customer = models.BooleanField(default=False)
    financially_responsible = models.BooleanField(default=False)
    third_party = models.BooleanField(default=False)
    receives_copy_of_bill = models.BooleanField(default=False)
    bill_copies = models.PositiveSmallIntegerField(default=0)
    receives_notifications = models.BooleanField(default=True)
    bill_address_source = models.CharField(
        max_length=4, choices=BillAddressSource.choices, default=BillAddressSource.PREMISE
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "person"], name="account_person_once"),
            models.UniqueConstraint(fields=["account"], condition=Q(main_customer=True), name="one_main_customer"),
        ]
        # Covering (PostgreSQL) for search results and access checks: a person's accounts without the table.
        indexes = [
            models.Index(
                fields=["person", "account"],
                include=["id", "main_customer", "receives_notifications"],
                name="acctper_person_cover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} on {self.account_id} ({self.relationship_type})"


class ServiceAgreement(models.Model):
    """An agreement to supply one service at one premise, billed to one account."""

    class Status(models.TextChoices):
        PENDING_START = "PS", "Pending start"
        ACTIVE = "AC", "Active"
        PENDING_STOP = "PX", "Pending stop"
        STOPPED = "ST", "Stopped"
        REACTIVATED = "RE", "Reactivated"
        CLOSED = "CL", "Closed"
        CANCELED = "CN", "Canceled"

    id = cis_id_field()
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="service_agreements")
    sa_type = models.ForeignKey(SAType, on_delete=models.PROTECT)
    premise = models.ForeignKey(
        Premise, null=True, blank=True, on_delete=models.PROTECT, related_name="service_agreements"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=2, choices=Status.choices, default=Status.PENDING_START)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account_id", "start_date", "id"]
        indexes = [
            # Covering (PostgreSQL) for search results: an account's premises served without the table.
            models.Index(
                fields=["account", "status"], include=["premise", "start_date", "id"], name="sa_account_status_cover"
            ),
            models.Index(fields=["premise", "status"], name="sa_premise_status_idx"),
        ]

    def __str__(self) -> str:
        return f"SA {self.id} {self.sa_type_id} ({self.get_status_display()})"


# The service-agreement lifecycle: which status may follow which.
SA_TRANSITIONS: dict[str, set[str]] = {
    ServiceAgreement.Status.PENDING_START: {ServiceAgreement.Status.ACTIVE, ServiceAgreement.Status.CANCELED},
    ServiceAgreement.Status.ACTIVE: {ServiceAgreement.Status.PENDING_STOP, ServiceAgreement.Status.STOPPED},
    ServiceAgreement.Status.PENDING_STOP: {ServiceAgreement.Status.ACTIVE, ServiceAgreement.Status.STOPPED},
    ServiceAgreement.Status.STOPPED: {ServiceAgreement.Status.CLOSED, ServiceAgreement.Status.ACTIVE},
    ServiceAgreement.Status.CLOSED: {ServiceAgreement.Status.REACTIVATED},
    ServiceAgreement.Status.REACTIVATED: {ServiceAgreement.Status.CLOSED},
    ServiceAgreement.Status.CANCELED: set(),
}
