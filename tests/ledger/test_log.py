"""The persisted custody log on both databases: appends, roots, proofs and checkpoint signing."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, update

from testament.config import Settings
from testament.errors import IntegrityError, NotFound
from testament.ledger import checkpoint as notes
from testament.ledger import log, merkle
from testament.ledger.keys import NoteSigner
from testament.storage import migrate
from testament.storage.engine import make_engine, read_transaction, write_transaction
from testament.storage.tables import log_node

ORIGIN = "test.invalid/log"


@pytest.fixture
def engine(settings: Settings) -> Engine:
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    with write_transaction(engine) as conn:
        log.initialise(conn)
    yield engine  # type: ignore[misc]
    engine.dispose()


def _entries(start: int, count: int) -> list[bytes]:
    return [f'{{"n":{n}}}'.encode() for n in range(start, start + count)]


def test_batched_appends_match_the_reference_tree(engine: Engine) -> None:
    everything: list[bytes] = []
    for batch in (1, 2, 5, 1, 8, 13, 3, 31):
        with write_transaction(engine) as conn:
            first = log.append(conn, _entries(len(everything), batch))
        assert first == len(everything)
        everything += _entries(len(everything), batch)
    leaves = [merkle.leaf_hash(e) for e in everything]
    with read_transaction(engine) as conn:
        n = log.size(conn)
        assert n == len(everything)
        for size in range(n + 1):
            assert log.root_at(conn, size) == merkle.root(leaves[:size])
        for size in (1, 7, 8, 33, n):
            for index in range(size):
                assert log.inclusion_proof(conn, index, size) == merkle.inclusion_proof(
                    index, leaves[:size]
                )
            for old in range(size + 1):
                assert log.consistency_proof(conn, old, size) == merkle.consistency_proof(
                    old, leaves[:size]
                )
        assert log.entry(conn, 17) == everything[17]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=6))
def test_any_batching_gives_the_same_tree(engine: Engine, batches: list[int]) -> None:
    with read_transaction(engine) as conn:
        start = log.size(conn)
    appended = 0
    for batch in batches:
        with write_transaction(engine) as conn:
            log.append(conn, _entries(start + appended, batch))
        appended += batch
    with read_transaction(engine) as conn:
        total = log.size(conn)
        leaves = [merkle.leaf_hash(e) for e in _entries(0, total)]
        assert log.root_at(conn, total) == merkle.root(leaves)


def test_out_of_range_requests_are_named(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        log.append(conn, _entries(0, 3))
    with read_transaction(engine) as conn:
        with pytest.raises(NotFound, match="entry 3"):
            log.entry(conn, 3)
        with pytest.raises(NotFound, match="beyond the log"):
            log.root_at(conn, 4)
        with pytest.raises(NotFound):
            log.inclusion_proof(conn, 3, 3)


def test_checkpoints_are_signed_notes_and_chain_consistently(engine: Engine) -> None:
    signer = NoteSigner(ORIGIN, Ed25519PrivateKey.generate())
    with write_transaction(engine) as conn:
        log.append(conn, _entries(0, 5))
        first = log.sign_checkpoint(conn, ORIGIN, signer, "t1")
        assert log.sign_checkpoint(conn, ORIGIN, signer, "t1b") is None  # nothing new
        log.append(conn, _entries(5, 6))
        second = log.sign_checkpoint(conn, ORIGIN, signer, "t2")
    assert first is not None and second is not None
    head = notes.verify(second.note, signer.verifier)
    assert (head.origin, head.size) == (ORIGIN, 11)
    with read_transaction(engine) as conn:
        proof = log.consistency_proof(conn, 5, 11)
        assert [c.size for c in log.all_checkpoints(conn)] == [5, 11]
    merkle.verify_consistency(5, 11, first.root_hash, second.root_hash, proof)


def test_refuses_to_sign_a_checkpoint_inconsistent_with_the_last(engine: Engine) -> None:
    signer = NoteSigner(ORIGIN, Ed25519PrivateKey.generate())
    with write_transaction(engine) as conn:
        log.append(conn, _entries(0, 4))
        log.sign_checkpoint(conn, ORIGIN, signer, "t1")
        log.append(conn, _entries(4, 4))
        # Forge the stored root over entries 0..7 (as if history below the checkpoint changed).
        conn.execute(
            update(log_node).where(log_node.c.id == log.node_key(3, 0)).values(hash=b"\x00" * 32)
        )
    with write_transaction(engine) as conn, pytest.raises(IntegrityError, match="refusing to sign"):
        log.sign_checkpoint(conn, ORIGIN, signer, "t2")
    with read_transaction(engine) as conn:
        assert [c.size for c in log.all_checkpoints(conn)] == [4]


def test_missing_tree_node_is_reported_not_recomputed(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        log.append(conn, _entries(0, 8))
        conn.execute(log_node.delete().where(log_node.c.id == log.node_key(1, 1)))
    with read_transaction(engine) as conn, pytest.raises(IntegrityError) as caught:
        log.inclusion_proof(conn, 0, 8)
    assert caught.value.where == "log node level 1 index 1"
