"""Extractors: one small module each, behind the protocol in :mod:`.base`."""
