"""Custody: the spine. Opening a home, recording custody events, versioned records, cases, ingest,
the access log, reading the log, and `testament verify`.

Owns the tables instance, agent, case, situation, case_situation, evidence_item, custody_event,
log_state, log_entry, log_node, checkpoint and record_version. Every other capability may use it; it uses none of them (only the
engines: ledger, vault, search, and storage, domain, taxonomy). Its SQL is in :mod:`.queries`, one
module per topic; what its use cases answer is typed in :mod:`.results`.
"""
