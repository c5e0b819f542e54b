from datetime import datetime
from typing import Any

from ninja import Field, Schema


class WorkspaceOut(Schema):
    id: int
    name: str
    slug: str


class UserOut(Schema):
    id: int
    email: str
    full_name: str


class MeOut(Schema):
    user: UserOut
    workspace: WorkspaceOut
    role: str
    title: str


class MemberOut(Schema):
    id: int
    email: str = Field(..., alias="user.email")
    full_name: str = Field(..., alias="user.full_name")
    role: str
    title: str


class TeamIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=2000)


class TeamPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=2000)


class TeamOut(Schema):
    id: int
    name: str
    description: str
    member_count: int


class AuditEventOut(Schema):
    id: int
    actor: str = Field(..., alias="actor_label")
    verb: str
    object_type: str
    object_id: str
    object_repr: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: datetime


class TaskRunOut(Schema):
    id: int
    label: str
    status: str
    finished: bool
    result: Any = None
    error: str = ""
    created_at: datetime
