"""Admin for the customer configuration codes. Persons, accounts and premises are maintained by CSRs
in the CSR interface and the API, where access groups apply; they are not edited here."""

from django.contrib import admin

from custcare.core.admin import AuditedAdmin
from custcare.customers.models import AccessGroup, CustomerClass, Division, IdentifierType, PremiseType, SAType


class CodeAdmin(AuditedAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]


@admin.register(AccessGroup)
class AccessGroupAdmin(CodeAdmin):
    filter_horizontal = ["users"]

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        from custcare.core.audit import audit_record

        audit_record(
            entity=form.instance,
            action="members",
            user=request.user,
            after={"users": sorted(u.username for u in form.instance.users.all())},
            summary="admin",
        )


for model in (CustomerClass, Division, PremiseType, IdentifierType):
    admin.site.register(model, CodeAdmin)


@admin.register(SAType)
class SATypeAdmin(CodeAdmin):
    list_display = ["code", "description", "service", "billable"]
    list_filter = ["service", "billable"]
