"""Triage models. Owns: The ordered pipeline of small steps (normalise, dedupe, match queries,
resolve identity, language, classify, score, route) and its NLP models.
"""
