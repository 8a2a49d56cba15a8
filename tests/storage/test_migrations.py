"""Migrations on both databases: they create exactly the declared tables and upgrade a home in place."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from testament.config import Settings
from testament.errors import Conflict
from testament.services import instance as instance_service
from testament.storage import migrate
from testament.storage.engine import make_engine
from testament.storage.tables import metadata


def _declared(name: str | None, type_: str, _parents: object) -> bool:
    """Leave out the full-text table (and FTS5's own tables), which differ by database by design."""
    return not (type_ == "table" and name is not None and name.startswith("search_text"))


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
