"""A generic signed webhook any tool can push posts to."""
