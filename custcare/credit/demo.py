"""Demo credit records for some demo accounts, so Control Central's collection alerts show."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from custcare.credit.models import (
    CollectionAgencyReferral,
    CollectionProcess,
    OverdueProcess,
    ProcessStatus,
    SeveranceProcess,
)
from custcare.customers.models import ServiceAgreement


def _ids(accounts: list[Any]) -> list[str]:
    return [str(getattr(a, "pk", a)) for a in accounts]


@transaction.atomic
def credit_demo_load(accounts: list[Any]) -> None:
    """A spread over the accounts (Account objects or ids), the same on every load: about one in three
    has an overdue process (most active, some completed), one in five an active collection process, one
    in six an active severance process on its first service agreement, one in eight a collection agency
    referral (active or ended). Records already there are kept (ids are derived from the account)."""
    today = timezone.localdate()
    ids = _ids(accounts)
    first_sa: dict[str, tuple[str, str | None]] = {}
    for account_id, sa_id, premise_id in (
        ServiceAgreement.objects.filter(account_id__in=ids)
        .order_by("account_id", "start_date", "id")
        .values_list("account_id", "id", "premise_id")
    ):
        first_sa.setdefault(account_id, (sa_id, premise_id))
    overdue: list[OverdueProcess] = []
    collection: list[CollectionProcess] = []
    severance: list[SeveranceProcess] = []
    referrals: list[CollectionAgencyReferral] = []
    for n, account_id in enumerate(ids):
        started = today - dt.timedelta(days=20 + 7 * (n % 9))
        if n % 3 == 0:
            done = n % 9 == 6
            overdue.append(
                OverdueProcess(
                    id=f"DEMO-OD-{account_id}",
                    account_id=account_id,
                    template="RES-OD" if n % 2 else "COM-OD",
                    status=ProcessStatus.COMPLETED if done else ProcessStatus.ACTIVE,
                    started_on=started,
                    ended_on=started + dt.timedelta(days=14) if done else None,
                )
            )
        if n % 5 == 0:
            collection.append(
                CollectionProcess(
                    id=f"DEMO-CP-{account_id}", account_id=account_id, template="STD-COLL", started_on=started
                )
            )
        if n % 6 == 0 and account_id in first_sa:
            sa_id, premise_id = first_sa[account_id]
            severance.append(
                SeveranceProcess(
                    id=f"DEMO-SV-{account_id}",
                    account_id=account_id,
                    service_agreement_id=sa_id,
                    premise_id=premise_id,
                    started_on=started + dt.timedelta(days=10),
                )
            )
        if n % 8 == 0:
            ended = n % 16 == 8
            referrals.append(
                CollectionAgencyReferral(
                    id=f"DEMO-CR-{account_id}",
                    account_id=account_id,
                    agency="Northstar Recovery" if n % 3 else "Lakeside Credit Services",
                    status=CollectionAgencyReferral.Status.ENDED if ended else CollectionAgencyReferral.Status.ACTIVE,
                    referred_on=started - dt.timedelta(days=60),
                    ended_on=started if ended else None,
                    amount=Decimal(150 + 37 * (n % 11)) + Decimal("0.45"),
                )
            )
    OverdueProcess.objects.bulk_create(overdue, ignore_conflicts=True, batch_size=1000)
    CollectionProcess.objects.bulk_create(collection, ignore_conflicts=True, batch_size=1000)
    SeveranceProcess.objects.bulk_create(severance, ignore_conflicts=True, batch_size=1000)
    CollectionAgencyReferral.objects.bulk_create(referrals, ignore_conflicts=True, batch_size=1000)
