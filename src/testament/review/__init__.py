"""Review and verification: the organisation's review states, where each evidence item and incident
stands in them, who it is assigned to, comments with @mentions, and each reviewer's queue.

Owns the tables review_state, review_status, review_comment and review_mention. Every transition,
assignment and comment is a custody event in the same transaction (docs/review.md); a comment's text
stays in its table and enters the log only as a salted commitment. A state that needs a second person
("verified") is never set by an author of what it verifies (:mod:`.rules`).

Use cases: ``states`` (the states, and an administrator's changes to them), ``workflow`` (transition
and assign, each on many targets in one transaction), ``comments`` (comment), ``reading`` (one
target's review, the queue). Its SQL is in ``queries.py``; what its use cases answer is declared in
``results.py``.

Uses: custody (the policy, the log, cases, items), accounts (users and their roles, through the
policy's view of an account). It reads the incident table only to know an incident's authors and
title; it never writes another capability's tables.
"""
