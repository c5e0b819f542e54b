"""Inbox: Conversations, assignment and routing, replies with policy checks and approvals,
canned responses, capture-a-post.
"""
