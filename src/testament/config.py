"""Settings, read from the environment (``TESTAMENT_*``) and an optional TOML file.

Every field is documented in ``docs/configuration.md``; a test fails when one is missing there.
Precedence: an environment variable wins over the TOML file, which wins over the default.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from testament.errors import InvalidInput

ENV_PREFIX = "TESTAMENT_"

# How account passwords are hashed (argon2id), by name; the accounts capability holds the parameters.
# "rfc9106-low-memory" is argon2-cffi's default (3 passes over 64 MiB, 4 lanes) and "rfc9106-high-memory"
# RFC 9106's first choice (1 pass over 2 GiB). Nothing weaker can be configured but the test profile,
# which costs nothing to guess against: the test suite uses it, and no server starts with it.
HASH_PROFILE_DEFAULT = "rfc9106-low-memory"
HASH_PROFILE_TEST_ONLY = "insecure-test-only"
HASH_PROFILES = (
    HASH_PROFILE_DEFAULT,
    "rfc9106-high-memory",
    HASH_PROFILE_TEST_ONLY,
)


@dataclass(frozen=True)
class Settings:
    """Where Testament keeps its data and how it protects it."""

    home: Path
    """Data directory: database (SQLite default), vault and keys. Default ``./testament-data``."""
    database_url: str
    """SQLAlchemy URL. Default ``sqlite:///<home>/testament.db``; ``postgresql://…`` for PostgreSQL."""
    vault_dir: Path
    """Root of the filesystem blob store. Default ``<home>/vault``."""
    vault_key_file: Path
    """Instance key that wraps every blob's data key (mode 0600). Default ``<home>/keys/vault.key``."""
    signing_key_file: Path
    """Ed25519 key that signs log checkpoints (mode 0600). Default ``<home>/keys/log-signing.pem``."""
    identity_key_file: Path
    """Key that wraps each person's identity key (mode 0600). Default ``<home>/keys/identity.key``."""
    erasure_register: Path
    """Append-only list of erased people, re-applied when a home is opened, so a restored backup cannot
    bring an erased identity back (docs/survivors.md). Default ``<home>/erasures``; keep it outside the
    backup rotation."""
    encrypt_at_rest: bool
    """Encrypt blobs with AES-256-GCM. Default ``true``; turn off only on an encrypted disk."""
    log_origin: str | None
    """Origin line and key name of this instance's log, fixed at ``init``. Default: a random name."""
    log_batch_size: int
    """Custody events appended per durable batch (one commit, one checkpoint). Default 256."""
    max_upload_bytes: int = 64 * 1024**3
    """Largest evidence file the web application accepts in one upload (413 above). Default 64 GiB."""
    registry_contact: str = ""
    """Whom a documenter with no role on a case is told to contact about a possible earlier account
    held there (docs/survivors.md). Default empty: the coordinator role of that case, never a name."""
    organisation: str = ""
    """The organisation that keeps this instance, as evidence packages name their source
    (``Source-Organization``). Default empty: packages name the custody log's origin instead."""
    password_hashing: str = HASH_PROFILE_DEFAULT
    """Argon2id cost of account passwords, by profile name (:data:`HASH_PROFILES`).
    Default ``rfc9106-low-memory``; ``insecure-test-only`` is for the test suite, never a server."""
    tsa_url: str = ""
    """The RFC 3161 Time-Stamp Authority that stamps each evidence package's checkpoint
    (``testament package create --tsa`` overrides it). Default empty: packages get no timestamp."""
    tsa_chain: Path | None = None
    """A PEM file with the TSA's certificate chain up to its root (root last), against which each token
    is verified and which packages carry. Default: none (a TSA URL alone stamps nothing)."""
    ecourt_mapping: Path | None = None
    """A JSON file of ``[header, field]`` pairs naming the columns of the e-Court sheet evidence
    packages carry (``data/metadata/ecourt.csv`` and ``.xlsx``; docs/packages.md). Default: none (the
    built-in columns)."""
    partner_keys: Path | None = None
    """A file of partners' verifier keys, one a line (as `testament log key` prints them): a package
    imported without ``--trust-key`` is trusted when its ``log.vkey`` is one of them. Default: none."""
    processing: bool = True
    """Process new evidence in the background: metadata, previews, text and OCR, perceptual hashes,
    content credentials, archive members (docs/processing.md). Default ``true``; ``false`` stores files
    only, and ``testament reprocess`` processes them later."""
    processing_timeout_s: int = 300
    """How long one extractor may run on one item before it is stopped and the item's processing of
    that kind fails (ExifTool, ffmpeg, Tesseract, …). Default 300 seconds."""
    processing_memory_mb: int = 2048
    """Address space one external tool may use while processing an item. Default 2048 MiB."""
    archive_max_depth: int = 3
    """How deep archives inside archives are unpacked into items of their own. Default 3."""
    duplicate_max_distance: int = 31
    """Largest PDQ distance (of 256 bits) at which two images or video frames count as possible
    near-duplicates. Default 31."""
    c2pa_trust_anchors: Path | None = None
    """A PEM file of certificate authorities whose C2PA content credentials count as trusted (not only
    valid). Default: none."""
    capture_allow_private: bool = False
    """Allow web captures of private, loopback and link-local addresses (refused by default, so a link
    cannot make the server fetch from its own network). Default ``false``."""
    capture_timeout_s: int = 60
    """How long a web capture waits for a page to finish loading; past it the capture is kept and
    marked incomplete. Default 60 seconds."""
    act_as: str | None = None
    """The account the CLI acts as (``testament --as USER``): its roles are checked and it is the agent
    of the command's custody events. Default: the instance owner, the operating-system user who holds
    the home's keys, who may do everything."""

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _parse_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise InvalidInput(
        f"setting {name} must be true or false, not {value!r}",
        where=f"{ENV_PREFIX}{name.upper()}",
        hint="use true or false",
    )


def _parse_int(name: str, value: Any, *, minimum: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = minimum - 1
    if number < minimum:
        raise InvalidInput(
            f"setting {name} must be a whole number of at least {minimum}, not {value!r}",
            where=f"{ENV_PREFIX}{name.upper()}",
        )
    return number


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise InvalidInput(
            "the configuration file does not exist",
            where=str(path),
            hint="fix TESTAMENT_CONFIG or create the file",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(
            f"the configuration file is not valid TOML: {exc}", where=str(path)
        ) from None
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidInput(
            f"unknown setting(s) in the configuration file: {', '.join(unknown)}",
            where=str(path),
            hint=f"known settings are: {', '.join(sorted(known))}",
        )
    return data


def _check_utf8(settings: Settings) -> Settings:
    for name in (
        "home",
        "database_url",
        "vault_dir",
        "vault_key_file",
        "signing_key_file",
        "identity_key_file",
        "erasure_register",
    ):
        try:
            str(getattr(settings, name)).encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput(
                f"setting {name} is not valid UTF-8",
                where=f"{ENV_PREFIX}{name.upper()}",
                hint="use a path whose name is UTF-8 text",
            ) from None
    return settings


def _line(name: str, value: Any) -> str:
    """A one-line setting (``registry_contact``, ``organisation``): at most 200 characters."""
    text = " ".join(str(value or "").split())
    if len(text) > 200:
        raise InvalidInput(
            f"setting {name} must be at most 200 characters",
            where=f"{ENV_PREFIX}{name.upper()}",
        )
    return text


def _password_hashing(value: Any) -> str:
    """A known hashing profile; an unknown name is refused, never taken as the default."""
    name = str(value).strip()
    if name not in HASH_PROFILES:
        raise InvalidInput(
            f"setting password_hashing must name a hashing profile, not {value!r}",
            where=f"{ENV_PREFIX}PASSWORD_HASHING",
            hint=f"use {HASH_PROFILE_DEFAULT} (the default) or rfc9106-high-memory",
        )
    return name


def check_servable(settings: Settings) -> None:
    """Refuse to serve with settings meant for the test suite only (``insecure-test-only`` hashing)."""
    if settings.password_hashing == HASH_PROFILE_TEST_ONLY:
        raise InvalidInput(
            f"refusing to serve: password hashing is {HASH_PROFILE_TEST_ONLY}, whose hashes cost "
            "nothing to guess against",
            where=f"{ENV_PREFIX}PASSWORD_HASHING",
            hint=f"unset it (the default is {HASH_PROFILE_DEFAULT}); the test profile is for tests only",
        )


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from ``environ`` (default: the process environment)."""
    env = dict(os.environ if environ is None else environ)
    config_file = env.get(f"{ENV_PREFIX}CONFIG")
    file_values = _read_toml(Path(config_file)) if config_file else {}

    def raw(name: str) -> Any:
        return env.get(f"{ENV_PREFIX}{name.upper()}", file_values.get(name))

    home = Path(raw("home") or "testament-data").expanduser()
    database_url = raw("database_url") or f"sqlite:///{home / 'testament.db'}"
    encrypt = raw("encrypt_at_rest")
    batch = raw("log_batch_size")
    upload = raw("max_upload_bytes")
    return _check_utf8(
        Settings(
            home=home,
            database_url=str(database_url),
            vault_dir=Path(raw("vault_dir") or home / "vault").expanduser(),
            vault_key_file=Path(raw("vault_key_file") or home / "keys" / "vault.key").expanduser(),
            signing_key_file=Path(
                raw("signing_key_file") or home / "keys" / "log-signing.pem"
            ).expanduser(),
            identity_key_file=Path(
                raw("identity_key_file") or home / "keys" / "identity.key"
            ).expanduser(),
            erasure_register=Path(raw("erasure_register") or home / "erasures").expanduser(),
            encrypt_at_rest=True if encrypt is None else _parse_bool("encrypt_at_rest", encrypt),
            log_origin=raw("log_origin") or None,
            log_batch_size=256 if batch is None else _parse_int("log_batch_size", batch, minimum=1),
            max_upload_bytes=64 * 1024**3
            if upload is None
            else _parse_int("max_upload_bytes", upload, minimum=1),
            registry_contact=_line("registry_contact", raw("registry_contact")),
            organisation=_line("organisation", raw("organisation")),
            password_hashing=_password_hashing(raw("password_hashing") or HASH_PROFILE_DEFAULT),
            tsa_url=str(raw("tsa_url") or "").strip(),
            tsa_chain=Path(raw("tsa_chain")).expanduser() if raw("tsa_chain") else None,
            ecourt_mapping=Path(raw("ecourt_mapping")).expanduser()
            if raw("ecourt_mapping")
            else None,
            partner_keys=Path(raw("partner_keys")).expanduser() if raw("partner_keys") else None,
            act_as=str(raw("act_as") or "").strip() or None,
            **_pipeline_settings(raw),
        )
    )


def _pipeline_settings(raw: Callable[[str], Any]) -> dict[str, Any]:
    """The processing and capture settings (docs/processing.md), parsed."""

    def number(name: str, default: int, minimum: int = 1) -> int:
        value = raw(name)
        return default if value is None else _parse_int(name, value, minimum=minimum)

    def flag(name: str, default: bool) -> bool:
        value = raw(name)
        return default if value is None else _parse_bool(name, value)

    distance = number("duplicate_max_distance", 31, minimum=0)
    if distance > 256:
        raise InvalidInput(
            f"setting duplicate_max_distance must be at most 256 (a PDQ hash has 256 bits), not {distance}",
            where=f"{ENV_PREFIX}DUPLICATE_MAX_DISTANCE",
        )
    anchors = raw("c2pa_trust_anchors")
    return {
        "processing": flag("processing", True),
        "processing_timeout_s": number("processing_timeout_s", 300),
        "processing_memory_mb": number("processing_memory_mb", 2048, minimum=64),
        "archive_max_depth": number("archive_max_depth", 3, minimum=0),
        "duplicate_max_distance": distance,
        "c2pa_trust_anchors": Path(anchors).expanduser() if anchors else None,
        "capture_allow_private": flag("capture_allow_private", False),
        "capture_timeout_s": number("capture_timeout_s", 60),
    }
