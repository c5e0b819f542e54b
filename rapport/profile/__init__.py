"""Customer profiles: the 360° read model of a contact, above every domain it reads.

The timeline (one `TimelineEntry` per thing that happened with a contact, fed by the other
domains' events), the profile built from it and from the contact's records, its next-best-action
suggestions, risk signals and lifetime value.
"""
