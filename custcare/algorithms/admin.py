from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from custcare.algorithms.models import Algorithm, InstallationAlgorithm, InstallationOptions
from custcare.algorithms.registry import algorithm_type_choices, algorithm_types
from custcare.core.admin import AuditedAdmin


def _parameter_help() -> str:
    lines = []
    for t in algorithm_types():
        props = t.Params.model_json_schema().get("properties", {})
        names = ", ".join(f"{k} ({v.get('type', 'value')})" for k, v in props.items()) or "none"
        lines.append(f"{t.code}: {names}")
    return "Parameters as a JSON object. By type — " + "; ".join(lines)


class AlgorithmForm(forms.ModelForm):
    algorithm_type = forms.ChoiceField(choices=algorithm_type_choices)

    class Meta:
        model = Algorithm
        fields = ["code", "description", "algorithm_type", "parameters"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parameters"].help_text = _parameter_help()


@admin.register(Algorithm)
class AlgorithmAdmin(AuditedAdmin):
    form = AlgorithmForm
    list_display = ["code", "algorithm_type", "description"]
    list_filter = ["algorithm_type"]
    search_fields = ["code", "description"]


class InstallationAlgorithmInline(admin.TabularInline):
    model = InstallationAlgorithm
    extra = 0
    fields = ["spot", "sequence", "algorithm", "enabled"]


@admin.register(InstallationOptions)
class InstallationOptionsAdmin(AuditedAdmin):
    inlines = [InstallationAlgorithmInline]
    list_display = ["__str__", "company_name", "default_country", "todo_type_for_reminders"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not InstallationOptions.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
