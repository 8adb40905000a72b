from django.contrib import admin

from custcare.payments.models import AutoPay


@admin.register(AutoPay)
class AutoPayAdmin(admin.ModelAdmin):
    list_display = [
        "external_id",
        "account",
        "method",
        "card_brand",
        "card_last4",
        "expiry_month",
        "expiry_year",
        "active",
    ]
    list_filter = ["method", "active", "expiry_year"]
    search_fields = ["external_id", "account__id"]
    raw_id_fields = ["account", "person"]
