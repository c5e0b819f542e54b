"""People models. Owns: Employee profiles, skills, the contribution ledger, kudos and
recognition reports.
"""
