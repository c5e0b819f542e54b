"""The web pages. Workspace pages live under /w/<slug>/; ids in URLs are checked by access_*."""

from django.urls import URLPattern, URLResolver, include, path

from rapport.web.views import (
    approvals,
    auth,
    cases,
    contact_profile,
    engagement,
    inbox,
    listening,
    notifications,
    operations,
    people,
    settings,
    teams,
    workspace,
)

app_name = "web"

settings_urls: list[URLPattern | URLResolver] = [
    path("", settings.index, name="settings"),
    path("workspace/", settings.workspace, name="settings_workspace"),
    path("members/", settings.members, name="settings_members"),
    path("members/<int:member_id>/role/", settings.member_role, name="settings_member_role"),
    path("members/<int:member_id>/remove/", settings.member_remove, name="settings_member_remove"),
    path("teams/", teams.teams, name="settings_teams"),
    path("teams/<int:team_id>/", teams.team, name="settings_team"),
    path("teams/<int:team_id>/delete/", teams.team_delete, name="settings_team_delete"),
    path("teams/<int:team_id>/members/", teams.team_add_member, name="settings_team_add_member"),
    path(
        "teams/<int:team_id>/members/<int:member_id>/remove/",
        teams.team_remove_member,
        name="settings_team_remove_member",
    ),
    path("tokens/", settings.tokens, name="settings_tokens"),
    path("notifications/", notifications.preferences, name="settings_notifications"),
    path("tokens/<int:token_id>/revoke/", settings.token_revoke, name="settings_token_revoke"),
    path("audit/", operations.audit, name="settings_audit"),
    path("tasks/", operations.tasks, name="settings_tasks"),
    path("engagement/", engagement.policy, name="settings_engagement"),
    path("canned/", engagement.canned_list, name="settings_canned"),
    path("canned/<int:canned_id>/", engagement.canned_edit, name="settings_canned_edit"),
    path(
        "canned/<int:canned_id>/delete/",
        engagement.canned_delete,
        name="settings_canned_delete",
    ),
    path("outbox/", engagement.outbox, name="settings_outbox"),
    path("outbox/<int:reply_id>/retry/", engagement.outbox_retry, name="settings_outbox_retry"),
    path("tasks/<int:run_id>/", operations.task_run, name="settings_task_run"),
]

inbox_urls: list[URLPattern | URLResolver] = [
    path("", inbox.inbox, name="inbox"),
    path("bulk/", inbox.bulk, name="inbox_bulk"),
    path("views/", inbox.view_save, name="inbox_view_save"),
    path("views/<int:view_id>/delete/", inbox.view_delete, name="inbox_view_delete"),
    path("capture/", inbox.capture_post, name="inbox_capture"),
    path("rules/", inbox.rules, name="inbox_rules"),
    path("rules/<int:rule_id>/toggle/", inbox.rule_toggle, name="inbox_rule_toggle"),
    path("rules/<int:rule_id>/delete/", inbox.rule_delete, name="inbox_rule_delete"),
    path("<int:conversation_id>/", inbox.conversation, name="conversation"),
    path("<int:conversation_id>/assign/", inbox.conversation_assign, name="conversation_assign"),
    path("<int:conversation_id>/status/", inbox.conversation_status, name="conversation_status"),
    path(
        "<int:conversation_id>/priority/",
        inbox.conversation_priority,
        name="conversation_priority",
    ),
    path("<int:conversation_id>/tags/", inbox.conversation_tags, name="conversation_tags"),
    path("<int:conversation_id>/notes/", inbox.conversation_note, name="conversation_note"),
    path("<int:conversation_id>/handoff/", inbox.conversation_handoff, name="conversation_handoff"),
    path("<int:conversation_id>/merge/", inbox.conversation_merge, name="conversation_merge"),
    path(
        "<int:conversation_id>/split/<int:post_id>/",
        inbox.conversation_split,
        name="conversation_split",
    ),
    path(
        "<int:conversation_id>/presence/",
        inbox.conversation_presence,
        name="conversation_presence",
    ),
]

workspace_urls: list[URLPattern | URLResolver] = [
    path("", workspace.workspace, name="workspace"),
    path("inbox/", include(inbox_urls)),
    path("listening/", listening.listening, name="listening"),
    path("posts/<int:post_id>/reply/", engagement.composer, name="reply_composer"),
    path("posts/<int:post_id>/reply/check/", engagement.check, name="reply_check"),
    path("replies/<int:reply_id>/withdraw/", engagement.reply_withdraw, name="reply_withdraw"),
    path("approvals/", approvals.approvals, name="approvals"),
    path("approvals/<int:approval_id>/decide/", approvals.decide, name="approval_decide"),
    path("listening/queries/", listening.query_create, name="listening_query_create"),
    path("listening/sources/", listening.sources, name="listening_sources"),
    path(
        "listening/posts/<int:post_id>/triage/",
        listening.triage_correct,
        name="listening_triage_correct",
    ),
    path("cases/", cases.cases, name="cases"),
    path("cases/new/", cases.case_create, name="case_create"),
    path("cases/<int:case_id>/", cases.case, name="case"),
    path("cases/<int:case_id>/status/", cases.case_transition, name="case_transition"),
    path("cases/<int:case_id>/tasks/", cases.case_task_add, name="case_task_add"),
    path("cases/<int:case_id>/comments/", cases.case_comment, name="case_comment"),
    path("case-tasks/<int:task_id>/status/", cases.case_task_status, name="case_task_status"),
    path(
        "cases/from-conversation/<int:conversation_id>/",
        cases.case_from_conversation,
        name="case_from_conversation",
    ),
    path("contacts/", workspace.contacts, name="contacts"),
    path("contacts/<int:contact_id>/", contact_profile.contact, name="contact"),
    path("ideas/", workspace.ideas, name="ideas"),
    path("people/", people.people, name="people"),
    path("people/skills/", people.skill_create, name="people_skill_create"),
    path("people/skills/<int:skill_id>/delete/", people.skill_delete, name="people_skill_delete"),
    path("people/<int:member_id>/", people.member, name="people_member"),
    path("people/<int:member_id>/skills/", people.member_skill_set, name="people_member_skill_set"),
    path(
        "people/<int:member_id>/skills/<int:skill_id>/remove/",
        people.member_skill_remove,
        name="people_member_skill_remove",
    ),
    path("insights/", workspace.insights, name="insights"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/bell/", notifications.bell, name="notifications_bell"),
    path("notifications/read/", notifications.mark_read, name="notifications_read"),
    path(
        "notifications/<int:notification_id>/open/",
        notifications.open_notification,
        name="notification_open",
    ),
    path("settings/", include(settings_urls)),
]

urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.login, name="login"),
    path("logout/", auth.logout, name="logout"),
    path("switch/", auth.switch, name="switch"),
    path("w/<slug:slug>/", include(workspace_urls)),
]
