"""Evidence packages: what an investigator receives, and what they check it with (docs/packages.md).

Owns ``testament package create`` (:mod:`.create`: a BagIt bag of originals, their documentation and a
custody excerpt with an inclusion proof for every entry under one signed checkpoint, recorded as a
``disclosure``) and the stand-alone verifier (:mod:`.verifier`, with :mod:`.bag`, :mod:`.custody_checks`,
:mod:`.reader` and :mod:`.layout`), which imports only the standard library and :mod:`testament.ledger`
so that a recipient can run it with nothing else installed.

May use: transfer (the audience and the export's consent gate), survivors (consent), custody (policy,
records, the log's writing), ledger, vault and storage. Nothing but the edges uses it.
"""
