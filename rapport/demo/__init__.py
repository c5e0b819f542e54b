"""The demo workspace, Acme Bank: `rapport demo` fills it with every domain's demo data.

One module per domain, each with an idempotent `load(workspace, owner)` (and, where it needs
what the others made, `finish(workspace, owner)`); `rapport.demo.loaders` runs them in order.
The demo sits above every domain and uses them all; no domain imports it.
"""
