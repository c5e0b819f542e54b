"""People: the skills members carry (for asking an expert and for routing by skill).

Employee profiles are the core `Membership` (title, role, teams); this app adds what people know.
"""

from django.db import models
from django.db.models.functions import Lower

from rapport.core.models import Membership, WorkspaceOwned


class Skill(WorkspaceOwned):
    """Something people in the workspace know about: "mortgages", "R&D: savings products"."""

    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("workspace", Lower("name"), name="unique_skill_name"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Level(models.IntegerChoices):
    LEARNING = 1, "Learning"
    PRACTISED = 2, "Practised"
    EXPERT = 3, "Expert"


class MemberSkill(models.Model):
    """A member knows a skill, at a level."""

    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="holders")
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.PRACTISED)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "skill"], name="one_level_per_member_skill")
        ]
        indexes = [models.Index(fields=["skill", "level"], name="member_skill_by_skill")]
        ordering = ["skill__name"]

    def __str__(self) -> str:
        return f"{self.member_id} knows {self.skill_id} ({self.get_level_display()})"
