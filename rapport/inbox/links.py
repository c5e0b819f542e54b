"""Where a notification about a conversation links to, from a request, a command or a worker."""

from django.urls import NoReverseMatch, reverse

from rapport.core.models import Workspace


def conversation_path(workspace: Workspace, conversation_id: int) -> str:
    try:
        return reverse("web:conversation", args=[workspace.slug, conversation_id])
    except NoReverseMatch:  # the web app is not mounted (a command, a worker)
        return f"/w/{workspace.slug}/inbox/{conversation_id}/"
