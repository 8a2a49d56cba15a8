"""Migrations on both databases: they create exactly the declared tables and upgrade a home in place."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from testament.config import Settings
from testament.custody import instance as instance_service
from testament.errors import Conflict
from testament.storage import migrate
from testament.storage.engine import make_engine
from testament.storage.tables import metadata


def _declared(name: str | None, type_: str, _parents: object) -> bool:
    """Leave out the full-text table (and FTS5's own tables), which differ by database by design, and
    procrastinate's queue on PostgreSQL, which is procrastinate's own schema."""
    if name is None:
        return True
    if name.startswith("procrastinate_"):
        return False
    return not (type_ == "table" and name.startswith("search_text"))


def test_schema_head_constant_matches_alembic() -> None:
    assert migrate.alembic_head() == migrate.SCHEMA_HEAD


def test_migrations_create_exactly_the_declared_schema(settings: Settings) -> None:
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    try:
        assert migrate.upgrade(engine) == (None, migrate.SCHEMA_HEAD)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": _declared})
            diff = compare_metadata(context, metadata)
        assert diff == []
        assert migrate.upgrade(engine) == (migrate.SCHEMA_HEAD, migrate.SCHEMA_HEAD)
    finally:
        engine.dispose()


def test_open_refuses_a_database_at_another_revision(settings: Settings) -> None:
    instance_service.init(settings)
    engine = make_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    engine.dispose()
    with pytest.raises(Conflict) as caught:
        instance_service.open_instance(settings)
    assert "testament init" in (caught.value.hint or "")


def test_init_completes_a_home_whose_first_init_stopped_after_migrating(settings: Settings) -> None:
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    engine.dispose()
    report = instance_service.init(settings)
    assert report.created and report.schema_before == migrate.SCHEMA_HEAD
    instance_service.open_instance(settings).close()


def test_init_on_an_existing_home_keeps_its_keys(settings: Settings) -> None:
    first = instance_service.init(settings)
    again = instance_service.init(settings)
    assert first.created and not again.created
    assert again.verifier_key == first.verifier_key
    assert again.schema_before == again.schema_after == migrate.SCHEMA_HEAD


def _sign_unnumbered(settings: Settings) -> list[tuple[int, bytes]]:
    """Rewrite a home as Testament wrote it before checkpoints were numbered (schema 0007)."""
    from alembic import command

    from testament.custody import cases
    from testament.ledger import checkpoint as notes
    from testament.ledger import log
    from testament.storage.engine import write_transaction
    from testament.storage.tables import checkpoint

    opened = instance_service.open_instance(settings)
    try:
        for n in range(3):
            cases.create_case(opened, f"Case {n}")
        with write_transaction(opened.engine) as conn:
            stored = log.all_checkpoints(conn)
            for cp in stored:
                head = notes.Checkpoint(opened.record.log_origin, cp.size, cp.root_hash)
                conn.execute(
                    checkpoint.update()
                    .where(checkpoint.c.size == cp.size)
                    .values(note=notes.sign(head, opened.signer))
                )
    finally:
        opened.close()
    engine = make_engine(settings.database_url)
    try:
        config = migrate._config()
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0007")
            connection.commit()
        assert migrate.current_revision(engine) == "0007"
    finally:
        engine.dispose()
    return [(cp.size, cp.root_hash) for cp in stored]


def test_upgrade_numbers_existing_checkpoints_and_verify_names_a_deleted_one(
    settings: Settings,
) -> None:
    from sqlalchemy import delete

    from testament.custody import cases, verification
    from testament.ledger import checkpoint as notes
    from testament.ledger import log
    from testament.storage.engine import read_transaction, write_transaction
    from testament.storage.tables import checkpoint

    instance_service.init(settings)
    legacy = _sign_unnumbered(settings)
    assert instance_service.init(settings).schema_before == "0007"
    opened = instance_service.open_instance(settings)
    try:
        with read_transaction(opened.engine) as conn:
            stored = log.all_checkpoints(conn)
        assert [(cp.number, cp.size) for cp in stored] == [
            (n, size) for n, (size, _) in enumerate(legacy, start=1)
        ]
        assert [f for f in verification.run(opened) if not f.ok] == []
        cases.create_case(opened, "After the upgrade")
        with read_transaction(opened.engine) as conn:
            newest = log.latest_checkpoint(conn)
        assert newest is not None and newest.number == len(legacy) + 1
        head = notes.verify(newest.note, opened.record.verifier_key)
        assert notes.sequence_of(head) == notes.Sequence(len(legacy) + 1, legacy[-1][0])
        # A checkpoint signed before numbering is deleted: its number is missing.
        with write_transaction(opened.engine) as conn:
            conn.execute(delete(checkpoint).where(checkpoint.c.number == 2))
        failures = [f for f in verification.run(opened) if not f.ok]
        assert [(f.step, f.where) for f in failures] == [
            (2, f"checkpoint number 2, tree size between {legacy[0][0]} and {legacy[2][0]}")
        ]
    finally:
        opened.close()


def test_areas_loaded_before_0019_stay_shared_through_the_upgrade(settings: Settings) -> None:
    """A home whose areas were loaded before areas had situations: downgraded to 0018 and upgraded
    again, its areas keep their IDs, stay shared (no situation), and incidents keep lying in them."""
    from pathlib import Path

    from sqlalchemy import select

    from testament.custody import cases
    from testament.documentation import gazetteer, incidents
    from testament.documentation.incidents import IncidentInput
    from testament.storage.tables import admin_area, incident_area

    sample = Path(__file__).resolve().parents[1] / "fixtures" / "gazetteer"
    instance_service.init(settings)
    opened = instance_service.open_instance(settings)
    try:
        gazetteer.load(opened, sample / "ukraine-adm1-sample.geojson", level=1, name_field="NAME_1")
        cases.create_case(opened, "C")
        incidents.create(opened, "C", IncidentInput(title="T", latitude=49.99, longitude=36.23))
    finally:
        opened.close()
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as connection:
            before = connection.execute(select(admin_area.c.id, admin_area.c.code)).all()
            placed = connection.execute(select(incident_area)).all()
        migrate.downgrade(engine, "0018")
        assert migrate.current_revision(engine) == "0018"
        assert migrate.upgrade(engine) == ("0018", migrate.SCHEMA_HEAD)
        with engine.connect() as connection:
            after = connection.execute(
                select(admin_area.c.id, admin_area.c.code, admin_area.c.situation_id)
            ).all()
            assert sorted(after) == sorted((*row, None) for row in before)
            assert connection.execute(select(incident_area)).all() == placed
    finally:
        engine.dispose()
