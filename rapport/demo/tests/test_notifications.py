"""The notifications demo: Acme's people have unread and read notifications, loaded once."""

import pytest
from django.core import mail

from rapport.demo import notifications as demo
from rapport.demo import workspace as demo_workspace
from rapport.notifications import selectors
from rapport.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_demo_people_have_notifications_and_no_mail_is_sent(django_capture_on_commit_callbacks):
    workspace, owner = demo_workspace.create_workspace()
    demo_workspace.load(workspace, owner)
    with django_capture_on_commit_callbacks(execute=True):
        demo.load(workspace, owner)
        demo.load(workspace, owner)  # idempotent
    assert Notification.objects.filter(workspace=workspace).count() == len(demo.DEMO)
    sam = workspace.memberships.get(user__email="sam@acme.example")
    assert selectors.unread_count(sam) == 2
    assert selectors.notifications_of(sam).count() == 3
    assert mail.outbox == []
