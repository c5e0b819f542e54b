"""Approvals: one general mechanism to ask a person or a role to approve something, decided once.

Replies use it (engagement); cases will use it for credits and other decisions.
"""
