"""Mastodon: hashtag and search timelines by polling, the streaming API, edits, capture, replies."""
