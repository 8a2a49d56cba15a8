"""`testament log …`: checkpoints, the verifier key, entries and proofs."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

import click

from testament.cli.output import read_bytes, read_text
from testament.config import load_settings
from testament.errors import InvalidInput


@click.group()
def log() -> None:
    """Inspect the custody log and export proofs a stranger can check offline."""


@log.command()
@click.option("--sign", is_flag=True, help="First sign a checkpoint over any unsigned entries.")
def checkpoint(sign: bool) -> None:
    """Print the latest signed checkpoint (C2SP signed note)."""
    from testament.custody import custody_log  # noqa: PLC0415 - imported on use: keeps --help fast
    from testament.startup import open_home  # noqa: PLC0415 - imported on use: keeps --help fast

    inst = open_home(load_settings())
    try:
        click.echo(custody_log.latest_checkpoint(inst, sign_tail=sign), nl=False)
    finally:
        inst.close()


@log.command()
def key() -> None:
    """Print the verifier key: <name>+<key id>+<base64 key>."""
    from testament.custody import custody_log  # noqa: PLC0415 - imported on use: keeps --help fast
    from testament.startup import open_home  # noqa: PLC0415 - imported on use: keeps --help fast

    inst = open_home(load_settings())
    try:
        click.echo(custody_log.verifier_key(inst))
    finally:
        inst.close()


@log.command()
@click.argument("item_id", required=False)
@click.option("--entry", "index", type=int, help="Prove entry N instead of an item's ingestion.")
def prove(item_id: str | None, index: int | None) -> None:
    """Print a C2SP tlog-proof for an item's ingestion entry (or --entry N)."""
    from testament.custody import custody_log  # noqa: PLC0415 - imported on use: keeps --help fast
    from testament.startup import open_home  # noqa: PLC0415 - imported on use: keeps --help fast

    if (item_id is None) == (index is None):
        raise InvalidInput(
            "name an ITEM_ID or --entry N (one of them)", where="testament log prove"
        )
    inst = open_home(load_settings())
    try:
        target = custody_log.ingestion_index(inst, item_id) if item_id is not None else index or 0
        click.echo(custody_log.prove_entry(inst, target), nl=False)
    finally:
        inst.close()


@log.command()
@click.option("--from", "old_size", type=int, required=True, help="The older tree size.")
@click.option(
    "--to", "new_size", type=int, help="The newer tree size (default: latest checkpoint)."
)
def consistency(old_size: int, new_size: int | None) -> None:
    """Print an RFC 9162 consistency proof, base64 hashes one per line."""
    from testament.custody import custody_log  # noqa: PLC0415 - imported on use: keeps --help fast
    from testament.startup import open_home  # noqa: PLC0415 - imported on use: keeps --help fast

    inst = open_home(load_settings())
    try:
        for digest in custody_log.consistency(inst, old_size, new_size):
            click.echo(base64.b64encode(digest).decode())
    finally:
        inst.close()


@log.command()
@click.argument("index", type=int)
def entry(index: int) -> None:
    """Write the exact bytes of entry N (canonical JSON, the leaf input) to standard output."""
    from testament.custody import custody_log  # noqa: PLC0415 - imported on use: keeps --help fast
    from testament.startup import open_home  # noqa: PLC0415 - imported on use: keeps --help fast

    inst = open_home(load_settings())
    try:
        data = custody_log.entry(inst, index)
    finally:
        inst.close()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


@log.command("verify-proof")
@click.argument("proof_file", type=click.Path(path_type=Path))
@click.option(
    "--entry",
    "entry_file",
    type=click.Path(path_type=Path),
    required=True,
    help="File holding the exact entry bytes (from `testament log entry N`).",
)
@click.option("--key", "key_text", required=True, help="The log's verifier key.")
def verify_proof(proof_file: Path, entry_file: Path, key_text: str) -> None:
    """Check a tlog-proof offline, with no Testament home: entry + proof + verifier key."""
    from testament.custody import custody_log  # noqa: PLC0415 - imported on use: keeps --help fast

    proof_text = read_text(proof_file, "proof")
    head = custody_log.verify_proof(proof_text, read_bytes(entry_file, "entry"), key_text)
    click.echo(f"OK: the entry is in {head.origin} at tree size {head.size}")
