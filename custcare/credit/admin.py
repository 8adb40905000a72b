"""Admin for the credit records: read-only, since the credit and collections system owns them and they
change only through record intake (API or `custcare records import`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from custcare.credit.models import CollectionAgencyReferral, CollectionProcess, OverdueProcess, SeveranceProcess


class ReadOnlyRecordAdmin(admin.ModelAdmin):
    """Shows CIS records copied from another system; nobody adds, edits or deletes them here."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        model: type[models.Model] = self.model
        return [f.name for f in model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
