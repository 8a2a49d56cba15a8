"""Use cases. One function is one user intention and one transaction; the CLI calls only these."""
