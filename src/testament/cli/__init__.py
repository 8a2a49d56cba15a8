"""The `testament` command: a thin client of :mod:`testament.services`."""
