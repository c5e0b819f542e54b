"""Hacker News, through the Algolia HN Search API (JSON over the HTTP seam)."""
