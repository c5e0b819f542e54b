"""The public idea portal of a workspace, at /portal/<workspace slug>/: customers read ideas
without signing in; signed in by an emailed link, they submit, vote, follow and comment.

`common.py` (the portal, the visitor, the layout), `pages.py` (the list, an idea, the colours),
`sign_in.py`, `writes.py` (submit, vote, follow, comment), `forms.py`, `throttle.py`.
"""
