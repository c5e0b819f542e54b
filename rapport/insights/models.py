"""Insights models. Owns: Rollups, dashboards and charts, share of voice, spike and crisis
detection, exports.
"""
