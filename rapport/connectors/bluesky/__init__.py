"""Bluesky: post search by polling, the Jetstream firehose as a stream, capture, replies."""
