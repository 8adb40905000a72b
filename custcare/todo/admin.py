"""Admin for To Do configuration (roles, skills, types) with audited writes, and a read-only view of
entries and their log: entries change only through the To Do services, never by hand."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from custcare.core.admin import AuditedAdmin
from custcare.todo.models import (
    SkillType,
    ToDoEntry,
    ToDoLog,
    ToDoRole,
    ToDoRoleUser,
    ToDoType,
    ToDoTypeSkill,
    UserSkill,
)


class MemberInline(admin.TabularInline):
    model = ToDoRoleUser
    extra = 0
    fields = ["user", "is_supervisor"]
    autocomplete_fields = ["user"]
    verbose_name = "member"


@admin.register(ToDoRole)
class ToDoRoleAdmin(AuditedAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]
    inlines = [MemberInline]


@admin.register(SkillType)
class SkillTypeAdmin(AuditedAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]


@admin.register(UserSkill)
class UserSkillAdmin(AuditedAdmin):
    list_display = ["user", "skill", "level"]
    list_filter = ["skill"]
    search_fields = ["user__username", "skill__code"]
    autocomplete_fields = ["user"]


class RequiredSkillInline(admin.TabularInline):
    model = ToDoTypeSkill
    extra = 0
    fields = ["skill", "min_level"]
    verbose_name = "required skill"


@admin.register(ToDoType)
class ToDoTypeAdmin(AuditedAdmin):
    list_display = ["code", "description", "usage", "default_priority", "default_role", "drill_down"]
    list_filter = ["usage", "default_role", "drill_down"]
    search_fields = ["code", "description"]
    filter_horizontal = ["allowed_roles"]
    inlines = [RequiredSkillInline]
    fieldsets = [
        (None, {"fields": ["code", "description", "usage", "default_priority", "default_role", "allowed_roles"]}),
        ("Display", {"fields": ["drill_down", "sort_keys", "message_text"]}),
        (
            "Algorithms",
            {
                "fields": ["info_algorithm", "assignment_algorithm"],
                "description": "The information algorithm (type CI_TDT-INFO) builds the text shown on each entry; "
                "the assignment algorithm (type CI_VAL-SKILL) warns when an entry goes to a user without "
                "the required skills.",
            },
        ),
    ]


class LogInline(admin.TabularInline):
    model = ToDoLog
    extra = 0
    fields = ["at", "user", "action", "comment", "details"]
    readonly_fields = ["at", "user", "action", "comment", "details"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ToDoEntry)
class ToDoEntryAdmin(admin.ModelAdmin):
    list_display = ["id", "todo_type", "role", "status", "priority", "assigned_to", "created_at"]
    list_filter = ["status", "role", "todo_type"]
    search_fields = ["id", "contact__id", "person__id", "account__id", "assigned_to__username"]
    list_select_related = ["assigned_to"]
    readonly_fields = [f.name for f in ToDoEntry._meta.fields]
    inlines = [LogInline]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
