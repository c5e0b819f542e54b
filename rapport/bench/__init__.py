"""Benchmarks: the `rapport bench` command and one module per benchmark. They measure, never
assert, and use every domain, so they sit above them all (docs/adr/0012-layers.md)."""
