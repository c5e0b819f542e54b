"""Importing contacts, companies, orders and cases from CRM and ERP exports.

readers (CSV and vCard files) -> mappings (which column is which field) -> rows (a clean
record or its errors, with line and column) -> writers (bulk, idempotent by source and
external id), driven by engine.run_job; jobs starts one from an upload, as a background task.
"""
