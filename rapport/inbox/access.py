"""The `access_*` helpers of the inbox: ids from outside resolved inside the caller's workspace.

Another workspace's conversation, note, post or rule is a 404 (`Http404`), never a 403.
"""

from rapport.core.access import access_in_workspace
from rapport.core.models import Membership
from rapport.inbox.models import Conversation, RoutingRule
from rapport.listening.models import Post


def access_conversation(membership: Membership, conversation_id: object) -> Conversation:
    return access_in_workspace(
        membership,
        Conversation.objects.select_related("team", "assignee__user", "identity", "captured_by"),
        conversation_id,
    )


def access_rule(membership: Membership, rule_id: object) -> RoutingRule:
    return access_in_workspace(membership, RoutingRule.objects.all(), rule_id)


def access_conversation_post(
    membership: Membership, conversation: Conversation, post_id: object
) -> Post:
    """A post of this conversation (404 when it is in another, or in another workspace)."""
    return access_in_workspace(
        membership,
        Post.objects.filter(conversation_link__conversation=conversation),
        post_id,
    )
