"""Listening: Source, ListeningQuery (the boolean query language) and Post (a normalised
mention); receive -> enqueue.
"""
