"""Web: The htmx pages: one views module and template folder per domain; page and fragment share one template."""
