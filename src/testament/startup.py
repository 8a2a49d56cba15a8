"""Opening a home for work: the steps every edge runs once, before anyone uses what it opened.

:func:`testament.custody.instance.open_instance` only opens: database, keys, vault. The edges (CLI, API,
web) open through :func:`open_home`, which then runs the startup steps:

1. a database restored from a backup older than an erasure is erased again (``survivors.erasure.reapply``),
   so no command and no request ever sees a person who was erased;
2. the home is bound to the principal the settings name (``TESTAMENT_ACT_AS``, ``testament --as USER``),
   or left to the instance owner. The web and the API bind each request to its own caller instead.
"""

from __future__ import annotations

from testament.accounts import accounts
from testament.config import Settings
from testament.custody.instance import Instance, open_instance
from testament.survivors import erasure


def open_home(settings: Settings) -> Instance:
    """Open the home ``settings`` names and run the startup steps; closed again if a step fails."""
    opened = open_instance(settings)
    try:
        erasure.reapply(opened)
        if settings.act_as is not None:
            return opened.acting_for(accounts.principal_named(opened, settings.act_as))
    except BaseException:
        opened.close()
        raise
    return opened
