"""Ideas: Ideas, votes, comments, status, links to posts and cases, the public portal."""
