"""RSS and Atom feeds, blog comment feeds included, parsed by feedparser."""
