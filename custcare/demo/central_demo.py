"""Demo records for Control Central: bills, payments, pay plans, collection and workflow processes for
the guides' customers and a sample of the generated accounts, so the dashboard's alerts and timeline
have something to show. Each loader skips what is already there, so running `custcare demo` again
changes nothing."""

from __future__ import annotations

from custcare.customers.models import Account

# The generated accounts that get records besides the guides' customers (enough to browse, quick to load).
SAMPLE_ACCOUNTS = 400
GUIDE_ACCOUNTS = 10


def central_demo_load() -> int:
    from custcare.billing.demo import billing_demo_load
    from custcare.credit.demo import credit_demo_load
    from custcare.workflow.demo import workflow_demo_load

    # The guides' customers (Maria Rivera...) are made after the generated data set: the newest accounts.
    guides = list(Account.objects.order_by("-created_at", "-id")[:GUIDE_ACCOUNTS])
    sample = list(Account.objects.order_by("created_at", "id")[:SAMPLE_ACCOUNTS])
    accounts = list({a.pk: a for a in guides + sample}.values())
    billing_demo_load(accounts)
    credit_demo_load(accounts)
    workflow_demo_load(accounts)
    return len(accounts)
