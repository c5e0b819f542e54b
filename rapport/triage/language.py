"""The language of a text, guessed by py3langid when the network does not say."""

import functools

LANGUAGE_SAMPLE = 240  # characters: plenty to tell languages apart, and the cost is per byte


@functools.lru_cache(maxsize=4096)
def detect_language(text: str) -> str:
    """An ISO 639-1 code, or "" when there is nothing to read."""
    sample = text[:LANGUAGE_SAMPLE]
    if not sample.strip():
        return ""
    import py3langid

    language, _ = py3langid.classify(sample)
    return str(language)
