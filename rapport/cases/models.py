"""Cases models. Owns: Case, Task, Approval, Comment, watchers, SLA and business hours,
escalation, BPMN playbooks, public status.
"""
