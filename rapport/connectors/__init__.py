"""Connectors: One folder per network behind one Connector interface and a registry:
fetch/stream, verify webhooks, publish replies.
"""
