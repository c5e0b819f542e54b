"""Contacts: Contact, Organization, Identity (network, external id, handle), consent, merge, and
purchases/accounts imported from CRM/ERP.
"""
