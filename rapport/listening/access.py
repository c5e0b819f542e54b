"""The `access_*` helpers of listening: ids from outside resolved inside the caller's workspace.

Another workspace's query, source or post is a 404 (`Http404`), never a 403.
"""

from rapport.core.access import access_in_workspace
from rapport.core.models import Membership
from rapport.listening.models import ListeningQuery, Post, Source


def access_query(membership: Membership, query_id: object) -> ListeningQuery:
    return access_in_workspace(membership, ListeningQuery.objects.all(), query_id)


def access_source(membership: Membership, source_id: object) -> Source:
    return access_in_workspace(membership, Source.objects.all(), source_id)


def access_post(membership: Membership, post_id: object) -> Post:
    return access_in_workspace(membership, Post.objects.select_related("source"), post_id)
