"""Notifications: in-app and email, with per-person preferences.

Other domains call `rapport.notifications.actions.notify(recipient, kind, text, url, actor=...)`
(or `notify_team` / `notify_role`) inside their own action's transaction.
"""
