"""Admin for the credit records: read-only, since the credit and collections system owns them and they
change only through record intake (API or `custcare records import`)."""

from __future__ import annotations

from django.contrib import admin

from custcare.core.admin import ReadOnlyAdmin as ReadOnlyRecordAdmin
from custcare.credit.models import CollectionAgencyReferral, CollectionProcess, OverdueProcess, SeveranceProcess


@admin.register(OverdueProcess, CollectionProcess)
class TemplatedProcessAdmin(ReadOnlyRecordAdmin):
    list_display = ["id", "account", "template", "status", "started_on", "ended_on"]
    list_filter = ["status"]
    search_fields = ["id", "account__id", "template"]
    raw_id_fields = ["account"]


@admin.register(SeveranceProcess)
class SeveranceProcessAdmin(ReadOnlyRecordAdmin):
    list_display = ["id", "account", "service_agreement", "premise", "status", "started_on", "ended_on"]
    list_filter = ["status"]
    search_fields = ["id", "account__id", "premise__id"]


@admin.register(CollectionAgencyReferral)
class CollectionAgencyReferralAdmin(ReadOnlyRecordAdmin):
    list_display = ["id", "account", "agency", "status", "referred_on", "ended_on", "amount"]
    list_filter = ["status", "agency"]
    search_fields = ["id", "account__id", "agency"]
