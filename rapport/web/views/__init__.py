"""The web pages, one module per area; see `rapport/web/urls.py` for the map."""
