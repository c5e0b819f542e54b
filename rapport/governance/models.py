"""Governance models. Owns: Engagement policies and privacy: consent, export, erasure,
retention. The audit log itself lives in core.
"""
