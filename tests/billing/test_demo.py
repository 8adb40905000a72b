"""Demo billing data: a spread of records across the demo accounts, loaded once."""

from __future__ import annotations

from custcare.billing.demo import billing_demo_load
from custcare.billing.models import Bill, Payment, PayPlan, PayPlanScheduledPayment
from tests.factories import account_make, person_make


def test_demo_load_gives_history_and_is_idempotent(csr):
    # given forty accounts
    accounts = [account_make(csr, person_make(csr, name=f"Person{n}, Demo", phone=None)) for n in range(40)]
    # when
    billing_demo_load(accounts)
    counts = (Bill.objects.count(), Payment.objects.count(), PayPlan.objects.count())
    billing_demo_load(accounts)
    # then
    assert Bill.objects.values("account_id").distinct().count() == 40
    assert counts[0] >= 40 * 12  # most accounts have two years of monthly bills
    assert counts[1] > counts[0] // 2
    assert (Bill.objects.count(), Payment.objects.count(), PayPlan.objects.count()) == counts
    assert PayPlanScheduledPayment.objects.filter(pay_plan__in=PayPlan.objects.all()).count() >= 3 * counts[2]
    for bill in Bill.objects.all()[:50]:
        bill.full_clean()
