"""The custody ledger: the RFC 9162 Merkle log and its proofs."""
