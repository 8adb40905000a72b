"""To Do algorithm types: the information text shown on each entry (CI_TDT-INFO) and the skill check
made when an entry is assigned or forwarded to a user (CI_VAL-SKILL).

Both run on plain values, not on model instances, so the worklist can compute the text of a whole page
from rows it has already read, without a query per entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from custcare.algorithms.registry import AlgorithmType, Spot, register_algorithm_type

PLACEHOLDER = re.compile(r"\{(contact|person|comment)\}")


@dataclass(frozen=True)
class EntryFacts:
    """What the information text may mention about one entry."""

    contact: str = ""
    person: str = ""
    comment: str = ""


@dataclass(frozen=True)
class RequiredSkill:
    skill: str
    min_level: int


@dataclass
class TypeRules:
    """A To Do type's message and required skills, read once per type for a whole list of entries."""

    message_text: str
    required: list[RequiredSkill] = field(default_factory=list)


def message_fill(message_text: str, facts: EntryFacts) -> str:
    """Fill {contact}, {person} and {comment}. Only these three names are replaced (no str.format), so
    an administrator's text cannot reach attributes, and unknown braces stay as they were typed."""
    values = {"contact": facts.contact, "person": facts.person, "comment": facts.comment}
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], message_text).strip()


def skills_text(required: list[RequiredSkill]) -> str:
    return ", ".join(f"{r.skill} ≥ {r.min_level}" for r in required)


@register_algorithm_type("CI_TDT-INFO", spot=Spot.TODO_INFO)
class ToDoInformation(AlgorithmType):
    """Build the To Do information text from the type's message and its required skills."""

    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid")
        include_skills: bool = Field(True, description="Append 'Requires: BILLING ≥ 2' when the type needs skills.")
        fallback: str = Field(
            "", max_length=120, description="Shown when the message comes out empty (no text and no comment)."
        )

    def run(self, **context: Any) -> str:
        params = self.params
        assert isinstance(params, self.Params)
        rules: TypeRules = context["rules"]
        facts: EntryFacts = context["facts"]
        text = message_fill(rules.message_text, facts) or params.fallback
        if params.include_skills and rules.required:
            requires = f"Requires: {skills_text(rules.required)}"
            text = f"{text} · {requires}" if text else requires
        return text


@register_algorithm_type("CI_VAL-SKILL", spot=Spot.TODO_ASSIGNMENT)
class SkillCheck(AlgorithmType):
    """Warn (not refuse) when the user an entry goes to lacks a required skill level."""

    class Params(BaseModel):
        model_config = ConfigDict(extra="forbid")
        skills: list[str] = Field(
            default_factory=list, description="Check only these skills; empty checks every required skill."
        )

    @classmethod
    def check_references(cls, params: BaseModel) -> dict[str, list[str]]:
        from custcare.todo.models import SkillType

        assert isinstance(params, cls.Params)
        known = set(SkillType.objects.filter(code__in=params.skills).values_list("code", flat=True))
        unknown = [code for code in params.skills if code not in known]
        return {"skills": [f"No skill type '{code}'." for code in unknown]} if unknown else {}

    def run(self, **context: Any) -> list[str]:
        params = self.params
        assert isinstance(params, self.Params)
        required: list[RequiredSkill] = context["required"]
        levels: dict[str, int] = context["user_levels"]
        who: str = context["user_name"]
        warnings = []
        for r in required:
            if params.skills and r.skill not in params.skills:
                continue
            level = levels.get(r.skill)
            if level is None:
                warnings.append(f"{who} does not have the skill {r.skill} (level {r.min_level} is required).")
            elif level < r.min_level:
                warnings.append(f"{who} has {r.skill} at level {level}; level {r.min_level} is required.")
        return warnings
