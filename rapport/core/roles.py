"""Roles in a workspace and their ranks; what each may do is rapport/core/permissions.py."""

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    AGENT = "agent", "Agent"
    EMPLOYEE = "employee", "Employee"
    VIEWER = "viewer", "Viewer"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, other: "Role") -> bool:
        return self.rank >= Role(other).rank


_RANK = {
    Role.VIEWER: 10,
    Role.EMPLOYEE: 20,
    Role.AGENT: 30,
    Role.MANAGER: 40,
    Role.ADMIN: 50,
    Role.OWNER: 60,
}
