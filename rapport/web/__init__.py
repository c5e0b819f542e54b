"""Web: the htmx pages, one views module and template folder per area.

A page and its htmx fragment render the same template: the page includes the partial.
"""
