"""API: django-ninja at /api/v1/, one router per domain, the committed OpenAPI schema."""
