"""The survivors capability's SQL, one module per topic: SQLAlchemy Core statements against
``testament.storage.tables``, each a function that takes the caller's connection first.

The use cases (``testament.survivors.*``) keep the transactions, the policy, the log's lock and the
order in which things happen; these functions only say what is read or written.
"""
