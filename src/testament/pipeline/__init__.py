"""Capture and processing: background jobs, extractors, near-duplicates and web capture to WACZ.

Originals are never touched. Every extractor reads a decrypted working copy of an item and returns an
:class:`~testament.pipeline.extractors.base.Extraction`; whatever it derives (a thumbnail, text, an
archive member, a capture component) becomes a new item that records its parent's digest and the tool,
version and parameters that made it (docs/processing.md).
"""
