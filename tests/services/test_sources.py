"""Sources: kinds from the vocabulary, checked URLs, dates at their precision, links to incidents."""

from __future__ import annotations

import pytest

from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import sources
from testament.errors import Conflict, InvalidInput, NotFound
from tests.services.test_people import new_incident, one_write

TITLE = "Telegram post by a local resident"
URL = "https://t.me/example_channel/4711"


@pytest.fixture
def case(instance: Instance) -> Instance:
    cases.create_case(instance, "Case A")
    cases.create_case(instance, "Case B")
    return instance


def test_create_edit_delete_are_one_version_and_one_event_each(case: Instance) -> None:
    with one_write(case, TITLE, URL, "example_channel") as written:
        source_id = sources.create(
            case, "Case A", kind="url", title=TITLE, url=URL, published_at="2022-03-05"
        )
    assert written[0]["detail"]["object"] == "source"
    with one_write(case, TITLE, "Reuters") as written:
        assert sources.edit(case, source_id, {"reference": "Reuters copy"}) == 2
    assert written[0]["detail"]["fields"] == ["reference"]
    with one_write(case, TITLE, URL):
        assert sources.delete(case, source_id) == 3
    assert [v.change for v in sources.versions(case, source_id)] == ["create", "update", "delete"]


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("2022", "2022"),
        ("March 2022", "2022-03"),
        ("2022-03-05", "2022-03-05"),
        ("2022-03-05T10:00:00+02:00", "2022-03-05T08:00:00Z"),
        ("", None),
    ],
)
def test_the_publication_date_keeps_its_precision(
    case: Instance, text: str, stored: str | None
) -> None:
    source_id = sources.create(case, "Case A", kind="document", title="Report", published_at=text)
    assert sources.show(case, source_id).published_at == stored


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/file",
        "javascript:alert(1)",
        "example.org/page",
        "https://",
        "https://a b/",
    ],
)
def test_invalid_urls_are_refused(case: Instance, url: str) -> None:
    with pytest.raises(InvalidInput, match="URL"):
        sources.create(case, "Case A", kind="url", title=TITLE, url=url)


def test_a_url_source_needs_its_address(case: Instance) -> None:
    with pytest.raises(InvalidInput, match="needs its address"):
        sources.create(case, "Case A", kind="url", title=TITLE)
    source_id = sources.create(case, "Case A", kind="url", title=TITLE, url=URL)
    with pytest.raises(InvalidInput, match="needs its address"):
        sources.edit(case, source_id, {"url": ""})
    sources.edit(case, source_id, {"kind": "document", "url": ""})
    assert sources.show(case, source_id).url is None


def test_an_unknown_kind_is_refused_by_name(case: Instance) -> None:
    with pytest.raises(InvalidInput, match="'rumour' is not in the source-types vocabulary"):
        sources.create(case, "Case A", kind="rumour", title=TITLE)


def test_links_to_incidents(case: Instance) -> None:
    source_id = sources.create(case, "Case A", kind="organisation", title="A monitoring group")
    incident_id = new_incident(case)
    with one_write(case, "second paragraph"):
        link_id = sources.link_incident(case, source_id, incident_id, "second paragraph")
    shown = sources.show(case, source_id)
    assert [(i.id, i.incident_id) for i in shown.incidents] == [(link_id, incident_id)]
    assert shown.evidence == []
    with pytest.raises(Conflict, match="already linked"):
        sources.link_incident(case, source_id, incident_id)
    elsewhere = new_incident(case, "Case B")
    with pytest.raises(InvalidInput, match="different cases"):
        sources.link_incident(case, source_id, elsewhere)
    assert [v.change for v in sources.versions(case, link_id, "incident-source")] == ["create"]


def test_sources_are_listed_per_case(case: Instance) -> None:
    sources.create(case, "Case A", kind="person", title="Witness B")
    sources.create(case, "Case A", kind="media-report", title="A newspaper", url=URL)
    sources.create(case, "Case B", kind="person", title="Elsewhere")
    listed = sources.list_for_case(case, "Case A")
    assert [(s.title, s.kind) for s in listed] == [
        ("A newspaper", "media-report"), ("Witness B", "person"),
    ]  # fmt: skip
    with pytest.raises(NotFound):
        sources.show(case, "no-such-source")
    with pytest.raises(InvalidInput, match="no field author"):
        sources.edit(case, listed[0].id, {"author": "x"})
