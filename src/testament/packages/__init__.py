"""Evidence packages: what an investigator receives, and what they check it with (docs/packages.md).

Owns:
- ``testament package create`` (:mod:`.create`): a BagIt bag of originals, their documentation,
  testimonies under consent, the e-Court sheet and a custody excerpt with an inclusion proof for every
  entry under one signed checkpoint, recorded as a ``disclosure``;
- sharing from the browser (:mod:`.sharing`): ask, a second person decides, the package is built and
  downloaded, and the disclosure register;
- ``testament package import`` (:mod:`.importing`): a partner's package, verified, with its provenance;
- the stand-alone verifier (:mod:`.verifier`, with :mod:`.bag`, :mod:`.custody_checks`, :mod:`.reader`
  and :mod:`.layout`), which imports only the standard library and :mod:`testament.ledger` so that a
  recipient can run it with nothing else installed.

May use: transfer (the audience, the export's consent gate, the JSON Lines import), survivors (consent,
testimonies), documentation (evidence links), custody (policy, records, the log's writing), ledger,
vault and storage. Nothing but the edges uses it.
"""
