"""Patterns: analyses across areas, time, units and situations, their charts, and reports.

Owns the analysis use cases (counts, spikes, repeat strikes, clusters, protected objects, unit
linkage, context evidence, comparison across situations) and the reports made from them. Each use case
reads a case's or a situation's incidents through the one permission gate (``custody.policy``),
runs a pure analysis from ``testament.analysis`` and answers with the parameters and the log
checkpoint it was computed at, so anyone can compute it again (docs/patterns.md).

Uses: custody (the policy, the log), documentation (incidents, the gazetteer, units, the proof chart).
"""
