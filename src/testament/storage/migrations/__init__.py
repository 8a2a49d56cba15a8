"""Alembic migrations; run through :mod:`testament.storage.migrate`, never by hand-written SQL."""
