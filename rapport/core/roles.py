"""Roles in a workspace and what each may do."""

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

ROLE_HELP = {
    Role.OWNER: "Everything, including billing-level settings and other owners.",
    Role.ADMIN: "Manages members, teams, sources, policies and sees the audit log.",
    Role.MANAGER: "Leads teams: assigns work, approves replies, manages team membership.",
    Role.AGENT: "Works the inbox and cases and replies publicly within policy.",
    Role.EMPLOYEE: (
        "Any staff member: captures posts, comments, works assigned tasks; public replies "
        "may need approval."
    ),
    Role.VIEWER: "Reads everything in the workspace, changes nothing.",
}
