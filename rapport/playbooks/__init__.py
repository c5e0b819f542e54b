"""Playbooks: BPMN 2.0 processes (with DMN decision tables) attached to a case type, executed by
SpiffWorkflow with a restricted evaluator; their user tasks become the case's tasks."""
