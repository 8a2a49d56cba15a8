"""Opening the Testament home for one command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from testament.config import load_settings

if TYPE_CHECKING:
    from testament.custody.instance import Instance


@contextmanager
def opened() -> Iterator[Instance]:
    """The instance named by the environment, closed when the command ends."""
    # The database stack is imported when a command runs, not when its module is (--help needs none).
    from testament.startup import open_home  # noqa: PLC0415 - imported on use: keeps --help fast

    inst = open_home(load_settings())
    try:
        yield inst
    finally:
        inst.close()
