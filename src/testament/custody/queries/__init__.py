"""Custody's SQL: the SQLAlchemy Core statements its use cases run, one module per topic.

- :mod:`.records`: the versioned record store (:mod:`testament.custody.history`): record rows and
  their ``record_version`` rows;
- :mod:`.cases`: cases, situations and a case's open urgent needs;
- :mod:`.log`: an item's custody events, and who the agents named in them are;
- :mod:`.access`: what the access log reads (an item's case and digest, an access event);
- :mod:`.policy`: the account as the policy sees it, and which case a record belongs to;
- :mod:`.instance`: the instance record and the agents that act on it;
- :mod:`.verify`: the reads of `testament verify`, streamed in bounded memory;
- :mod:`.ingest`: ingest's reads and writes.

Each function takes the caller's connection first and runs in the caller's transaction; the use cases
keep the transaction boundaries, the policy questions and the log's lock.
"""
