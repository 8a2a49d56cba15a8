"""Opening the Testament home for one command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from testament.config import load_settings
from testament.custody.instance import Instance
from testament.startup import open_home


@contextmanager
def opened() -> Iterator[Instance]:
    """The instance named by the environment, closed when the command ends."""
    inst = open_home(load_settings())
    try:
        yield inst
    finally:
        inst.close()
