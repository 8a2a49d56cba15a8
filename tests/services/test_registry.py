"""The re-interview registry over the real vault, on both databases (MC-04, CSO-04)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select

from testament.api.app import create_app
from testament.custody import cases
from testament.custody.instance import Instance
from testament.errors import InvalidInput, PermissionDenied
from testament.search import names
from testament.storage import tables
from testament.storage.engine import read_transaction, write_transaction
from testament.survivors import consent, erasure, identity, registry
from tests.conftest import SQLITE_ONLY

CASE = "Irpin"
OPERATOR = "operator-token-0123456789"
GRANT = consent.GrantInput(
    purpose="criminal-investigation",
    recipient_class="national-prosecutor",
    data_scope="testimony",
    mode="oral",
    language="uk",
    info_sheet_version="2026-1",
    understanding_checked=True,
)


def add(instance: Instance, name: str, dob: str | None = None, *, other: str = "") -> str:
    person_id, _ = identity.add_person(
        instance,
        CASE,
        identity.Identity(name=name, date_of_birth=dob, other_names=(other,) if other else ()),
    )
    return person_id


@pytest.fixture
def people(instance: Instance) -> dict[str, str]:
    cases.create_case(instance, CASE)
    return {
        "kovalenko": add(instance, "Олександр Петрович Коваленко", "1980-03-02"),
        "petrenko": add(instance, "Марія Петренко", "1991"),
        "other": add(instance, "Ivan Ivanchenko", other="Іван Іванченко"),
    }


@pytest.mark.parametrize(
    "spelling",
    ["Oleksandr Kovalenko", "Aleksandr Kovalenko", "Александр Коваленко", "Kovalenko Oleksandr"],
)
def test_a_name_is_found_across_scripts_and_spellings(
    instance: Instance, people: dict[str, str], spelling: str
) -> None:
    found = registry.match(instance, names.NameRecord(spelling))
    assert [m.person for m in found][:1] == [people["kovalenko"]]


def test_a_conflicting_date_of_birth_or_another_name_is_not_a_match(
    instance: Instance, people: dict[str, str]
) -> None:
    assert registry.match(instance, names.NameRecord("Oleksandr Kovalenko", "1955-11-20")) == []
    assert registry.match(instance, names.NameRecord("Ivan Ivanenko")) == []


def test_a_match_says_who_holds_the_account_and_under_what_consent(
    instance: Instance, people: dict[str, str]
) -> None:
    consent.grant(instance, people["petrenko"], GRANT)
    (found,) = registry.match(instance, names.NameRecord("Mariia Petrenko", "1991-05"))
    data = found.as_json()
    assert data["case"] == CASE and data["label"].startswith("P-")
    assert data["grants"] == [
        {
            "purpose": "criminal-investigation",
            "recipient_class": "national-prosecutor",
            "data_scope": "testimony",
            "state": "active",
        }
    ]
    assert "Петренко" not in json.dumps(data, ensure_ascii=False)


def test_a_match_never_shows_a_grant_that_is_not_consent_as_given(
    instance: Instance, people: dict[str, str]
) -> None:
    """A grant stored without the check that the person understood it (MC-03), or past its last day,
    is shown as what it is, through the consent service's own rule, never as consent given."""
    with write_transaction(instance.engine) as conn:
        agent = conn.execute(select(func.min(tables.agent.c.id))).scalar_one()
        for grant_id, understood, expires in (("g-unconfirmed", False, None),
                                              ("g-expired", True, "2020-01-01")):  # fmt: skip
            conn.execute(
                insert(tables.consent_grant).values(
                    id=grant_id, person_id=people["petrenko"], purpose="advocacy-publication",
                    recipient_class="media-public", data_scope="all", identifiability="named",
                    mode="oral", language="uk", info_sheet_version="2026-1",
                    understanding_checked=understood, granted_at="2019-01-01T00:00:00Z",
                    expires_at=expires, recorded_by=agent,
                )
            )  # fmt: skip
    (found,) = registry.match(instance, names.NameRecord("Mariia Petrenko", "1991-05"))
    states = sorted(g["state"] for g in found.as_json()["grants"])
    assert states == ["expired", "unconfirmed"]
    shown = {g.id: g.state for g in consent.grants(instance, people["petrenko"])}
    assert shown == {"g-unconfirmed": "unconfirmed", "g-expired": "expired"}


def test_an_erased_person_is_never_matched(instance: Instance, people: dict[str, str]) -> None:
    erasure.erase(instance, people["petrenko"], grounds="survivor-request")
    assert registry.match(instance, names.NameRecord("Maria Petrenko")) == []
    with read_transaction(instance.engine) as conn:
        assert registry.earlier_ranked(conn, instance, people["petrenko"]) == []


@pytest.mark.parametrize("name", ["", "   ", "I", "I. K.", "12345"])
def test_an_empty_or_one_letter_name_is_refused(instance: Instance, name: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        registry.match(instance, names.NameRecord(name))
    assert refused.value.where == "name"


def _secret(tmp_path: Path, data: bytes | None = None) -> Path:
    path = tmp_path / "consortium.key"
    path.write_bytes(os.urandom(32).hex().encode() if data is None else data)
    path.chmod(0o600)
    return path


def test_partners_find_each_other_through_encodings_only(
    instance: Instance, people: dict[str, str], tmp_path: Path
) -> None:
    secret = registry.load_secret(_secret(tmp_path))
    out = tmp_path / "encodings.jsonl"
    assert registry.encodings(instance, secret, out) == 3
    header, *rows = (json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())
    # Each row is an opaque reference (hex) and an encoding (base64url): nothing a name can hide in.
    # The words are looked for in everything else, since random base64 may spell "1980" by chance.
    for row in rows:
        assert set(row) == {"ref", "encoding"}
        assert re.fullmatch("[0-9a-f]{32}", row["ref"])
        assert re.fullmatch(r"tbf3\.[A-Za-z0-9_-]+", row["encoding"])
    readable = json.dumps(header, ensure_ascii=False)
    for word in ("Коваленко", "Kovalenko", "Петренко", "Ivanchenko", "1980"):
        assert word not in readable
    partner = registry.read_encodings(out)
    (hit,) = registry.check_encodings(
        names.NameRecord("Aleksandr Kowalenko", "1980-03-02"), secret, partner
    )
    assert registry.whose(instance, secret, hit.ref) == people["kovalenko"]
    assert registry.check_encodings(names.NameRecord("Taras Bondarenko"), secret, partner) == []
    other_secret = os.urandom(32)
    assert (
        registry.check_encodings(names.NameRecord("Oleksandr Kovalenko"), other_secret, partner)
        == []
    )
    with read_transaction(instance.engine) as conn:
        details = conn.execute(select(tables.custody_event.c.detail)).scalars()
        assert any('"linkage-encodings"' in d for d in details)


@SQLITE_ONLY
def test_bad_secrets_and_partner_files_are_named(instance: Instance, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="at least 16 bytes"):
        registry.load_secret(_secret(tmp_path, b"short"))
    loose = _secret(tmp_path)
    loose.chmod(0o644)
    with pytest.raises(PermissionDenied):
        registry.load_secret(loose)
    bad = tmp_path / "partner.jsonl"
    for text, where in (
        ('{"format": "something-else"}\n', "line 1"),
        ('{"format": "testament-linkage"}\nnot json\n', "line 2"),
        ('{"format": "testament-linkage"}\n{"ref": "a", "encoding": "zzz"}\n', "line 2"),
    ):
        bad.write_text(text)
        with pytest.raises(InvalidInput) as refused:
            registry.read_encodings(bad)
        assert where in str(refused.value.where)


def test_the_api_answers_matches_without_names(instance: Instance, people: dict[str, str]) -> None:
    app = create_app(instance, api_token=OPERATOR)
    with TestClient(app, headers={"Authorization": f"Bearer {OPERATOR}"}) as http:
        response = http.post("/registry/match", json={"name": "Oleksandr Kovalenko"})
        assert response.status_code == 200
        assert [m["person"] for m in response.json()["matches"]] == [people["kovalenko"]]
        assert "Коваленко" not in response.text
        refused = http.post("/registry/match", json={"name": "K"})
        assert refused.status_code == 422 and "name" in refused.text


def test_a_partner_file_is_bounded_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A partner's file comes from outside: a line past its bound, or a file past its size, is refused
    naming where, before anything of it is decoded or held whole."""
    bad = tmp_path / "partner.jsonl"
    line = '{"ref": "a", "encoding": "' + "A" * registry.MAX_ENCODING_LINE_BYTES + '"}\n'
    bad.write_text('{"format": "testament-linkage"}\n' + line)
    with pytest.raises(InvalidInput) as refused:
        registry.read_encodings(bad)
    assert refused.value.where == f"{bad}, line 2" and "longer than" in refused.value.what
    monkeypatch.setattr(registry, "MAX_ENCODINGS_FILE_BYTES", 100)
    bad.write_text('{"format": "testament-linkage"}\n' + '{"ref": "a", "encoding": "x"}\n' * 5)
    with pytest.raises(InvalidInput) as refused:
        registry.read_encodings(bad)
    assert refused.value.where == str(bad) and "larger than 100 bytes" in refused.value.what


@pytest.mark.parametrize(
    "spelling",
    ["محمد عبدالله الاحمد", "Mohammed Abdullah al-Ahmad", "Muhammad ibn Abdallah Al Ahmad"],
)
def test_an_arabic_name_is_found_in_either_script_and_by_the_api(
    instance: Instance, people: dict[str, str], spelling: str
) -> None:
    held = add(instance, "مُحَمَّد عبد الله الأحمد", "1979")
    add(instance, "Mahmoud Abdullah al-Ahmad", "1979")  # another person: Mahmoud is not Mohammed
    found = registry.match(instance, names.NameRecord(spelling, "1979-01-01"))
    assert [m.person for m in found] == [held]
    app = create_app(instance, api_token=OPERATOR)
    with TestClient(app, headers={"Authorization": f"Bearer {OPERATOR}"}) as http:
        response = http.post("/registry/match", json={"name": spelling, "dob": "١٩٧٩"})
        assert response.status_code == 200
        assert [m["person"] for m in response.json()["matches"]] == [held]
        refused = http.post("/registry/match", json={"name": "Ahmadأحمد"})
        assert refused.status_code == 422 and "mixes" in refused.text and "أحمد" not in refused.text


def test_encodings_of_an_older_version_are_refused_by_name(tmp_path: Path) -> None:
    bad = tmp_path / "partner.jsonl"
    bad.write_text('{"format": "testament-linkage"}\n{"ref": "a", "encoding": "tbf2.AAAA"}\n')
    with pytest.raises(InvalidInput) as refused:
        registry.read_encodings(bad)
    assert refused.value.where == f"{bad}, line 2" and "version tbf2" in refused.value.what
