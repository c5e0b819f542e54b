"""Engagement: replies to posts, checked against the workspace's engagement policy, approved
when the policy says so, and published through the outbox; canned responses.
"""
