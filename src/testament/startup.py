"""Opening a home for work: the steps every edge runs once, before anyone uses what it opened.

:func:`testament.custody.instance.open_instance` only opens: database, keys, vault. The edges (CLI, API,
web) open through :func:`open_home`, which then runs the startup steps. Today there is one: a database
restored from a backup older than an erasure is erased again (``survivors.erasure.reapply``), so no
command and no request ever sees a person who was erased.
"""

from __future__ import annotations

from testament.config import Settings
from testament.custody.instance import Instance, open_instance
from testament.survivors import erasure


def open_home(settings: Settings) -> Instance:
    """Open the home ``settings`` names and run the startup steps; closed again if a step fails."""
    opened = open_instance(settings)
    try:
        erasure.reapply(opened)
    except BaseException:
        opened.close()
        raise
    return opened
