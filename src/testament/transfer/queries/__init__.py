"""Transfer's SQL: the SQLAlchemy Core statements its use cases run, one module per topic."""
