"""Inbox models. Owns: Conversations, assignment and routing, replies with policy checks and
approvals, canned responses, capture-a-post.
"""
