"""What the two HTTP edges (``api/``, the JSON API, and ``web/``, the pages) share, so that neither
imports the other: who is calling (``auth``: a session cookie, an API token or the operator's token
made into a :class:`~testament.domain.access.Principal`, and the same-origin check), how an error
answers (``errors``: the status of each kind of failure and the one JSON envelope), the policy's door
before a use case runs (``guard``: ``allow``, ``hide_unseen``) and the bounds on request bodies
(``limits``). Below the edges, above ``startup``.
"""
