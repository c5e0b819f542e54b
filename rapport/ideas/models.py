"""Ideas models. Owns: Ideas, votes, comments, status, links to posts and cases, the public
portal.
"""
