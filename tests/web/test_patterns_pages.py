"""The patterns page and the analysis pages over HTTP: they render in English and Ukrainian, their
figures are valid SVG and PNG whose bars link to the selection they stand for, their tables download
as CSV, a selection narrows the list, bad parameters come back in the form (never a 500), and a
reader without a role on the case is answered as if it did not exist."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from defusedxml import ElementTree

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import placements, units
from tests.conftest import SQLITE_ONLY
from tests.patterns.conftest import KHARKIV, SAMPLE, add, load_areas
from tests.web.conftest import PASSWORD, signed_in
from tests.web.test_labels import _english_words

pytestmark = SQLITE_ONLY

PAGE = "/cases/Patterns/patterns"
SAMPLE_IDS = [external for external, *_ in SAMPLE]
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


@pytest.fixture
def analyst(instance: Instance) -> dict[str, str]:
    """Case "Patterns" holding the patterns tests' SAMPLE (external ID -> incident ID), read by ana;
    olek reads only another case."""
    load_areas(instance)
    cases.create_case(instance, "Patterns")
    sample = {
        external: add(instance, "Patterns", external, day, place, types=types, targets=targets)
        for external, day, place, types, targets in SAMPLE
    }
    accounts.create_user(instance, "ana", PASSWORD)
    accounts.grant_role(instance, "ana", "Patterns", "viewer")
    accounts.create_user(instance, "olek", PASSWORD)
    cases.create_case(instance, "Elsewhere")
    accounts.grant_role(instance, "olek", "Elsewhere", "viewer")
    return sample


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr data-incident="([^"]+)">', page)


def _links(svg: bytes) -> list[str]:
    tree = ElementTree.fromstring(svg)
    return [a.attrib[XLINK] for a in tree.iter(f"{SVG}a")]


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_the_patterns_page_renders_with_every_figure(
    site: Any, analyst: dict[str, str], lang: str
) -> None:
    http = signed_in(site, "ana", cookies={"testament_lang": lang})
    got = http.get(PAGE)
    assert got.status_code == 200, got.text
    text = got.text
    for name in ("timeline", "areas", "kinds"):
        assert f'src="{PAGE}/{name}.svg?' in text
    assert 'id="patterns-map"' in text and "leaflet-heat.js" in text
    assert sorted(_rows(text)) == sorted(analyst.values())
    assert ("Часова шкала" if lang == "uk" else "Timeline") in text


def test_the_case_page_and_the_dashboard_link_to_it(site: Any, analyst: dict[str, str]) -> None:
    http = signed_in(site, "ana")
    assert f'href="{PAGE}"' in http.get("/dashboard").text
    assert f'href="{PAGE}"' in http.get("/cases/Patterns").text


def test_a_timeline_is_valid_svg_whose_bars_select_their_incidents(
    site: Any, analyst: dict[str, str]
) -> None:
    http = signed_in(site, "ana")
    got = http.get(f"{PAGE}/timeline.svg")
    assert got.status_code == 200 and got.headers["content-type"] == "image/svg+xml"
    assert "frame-ancestors 'self'" in got.headers["content-security-policy"]
    links = _links(got.content)
    assert links, "every bar is a link"
    wanted = next(link for link in links if "month=2022-03" in link and "type=shelling" in link)
    query = parse_qs(urlsplit(wanted).query)
    assert query["month"] == ["2022-03"] and query["type"] == ["shelling"]
    narrowed = http.get(wanted.split("#")[0])
    assert narrowed.status_code == 200
    assert sorted(_rows(narrowed.text)) == sorted([analyst["K1"], analyst["K2"]])


def test_every_figure_downloads_as_svg_and_png(site: Any, analyst: dict[str, str]) -> None:
    http = signed_in(site, "ana")
    for name in ("timeline", "areas", "kinds", "network"):
        svg = http.get(f"{PAGE}/{name}.svg", params={"download": "1"})
        assert svg.status_code == 200, svg.text
        assert svg.headers["content-disposition"] == f'attachment; filename="{name}.svg"'
        ElementTree.fromstring(svg.content)
        png = http.get(f"{PAGE}/{name}.png", params={"period": "week", "stack": "target"})
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        assert png.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_a_figure_is_the_same_bytes_each_time(site: Any, analyst: dict[str, str]) -> None:
    http = signed_in(site, "ana")
    first = http.get(f"{PAGE}/areas.svg").content
    assert http.get(f"{PAGE}/areas.svg").content == first
    assert b"<metadata" not in first or b"<dc:date" not in first


def test_the_small_multiples_link_an_area_and_a_month(site: Any, analyst: dict[str, str]) -> None:
    http = signed_in(site, "ana")
    links = _links(http.get(f"{PAGE}/areas.svg").content)
    chosen = next(link for link in links if "month=2022-04" in link)
    narrowed = http.get(chosen.split("#")[0])
    assert _rows(narrowed.text) == [analyst["S1"]]


def test_a_selection_narrows_the_list_and_the_map(site: Any, analyst: dict[str, str]) -> None:
    http = signed_in(site, "ana")
    got = http.get(PAGE, params={"target": "school"})
    assert sorted(_rows(got.text)) == sorted([analyst["K1"], analyst["K3"]])
    data = http.get(f"{PAGE}/map.json", params={"target": "school"}).json()
    assert data["matched"] == 2 and sum(data["areas"].values()) == 2
    assert {point[2] for point in data["points"]} == {analyst["K1"], analyst["K3"]}


CLUSTERED = 5  # incidents a cluster needs by default (`testament analyze clusters --min-samples`)


def add_cluster(instance: Instance, case: str = "Patterns") -> list[str]:
    """Five shellings in Kharkiv on one day, each about 100 m from the next: one cluster by default."""
    return [
        add(instance, case, f"C{i}", "2022-05-01", (KHARKIV[0] + 0.001 * i, KHARKIV[1]),
            types=("shelling",))
        for i in range(CLUSTERED)
    ]  # fmt: skip


def test_the_map_carries_the_clusters_in_place_and_time(
    site: Any, analyst: dict[str, str], instance: Instance
) -> None:
    add_cluster(instance)
    http = signed_in(site, "ana")
    data = http.get(f"{PAGE}/map.json").json()
    assert len(data["spacetime"]) == 1
    (cluster,) = data["spacetime"]
    assert cluster["count"] == CLUSTERED
    assert (cluster["first"], cluster["last"]) == ("2022-05-01", "2022-05-01")
    assert cluster["latitude"] == pytest.approx(KHARKIV[0] + 0.002, abs=1e-4)
    assert cluster["longitude"] == pytest.approx(KHARKIV[1], abs=1e-4)
    # The page's date range and level hold for the clusters too.
    before = http.get(f"{PAGE}/map.json", params={"date_to": "2022-04-30"}).json()
    assert before["spacetime"] == []
    within = http.get(f"{PAGE}/map.json", params={"date_from": "2022-05-01", "level": "2"}).json()
    assert [c["count"] for c in within["spacetime"]] == [CLUSTERED]
    page = http.get(PAGE).text
    assert 'data-clusters="/cases/Patterns/analyses/clusters?level=1"' in page


def test_a_date_range_narrows_the_list(site: Any, analyst: dict[str, str]) -> None:
    http = signed_in(site, "ana")
    got = http.get(PAGE, params={"date_from": "2022-04-01", "date_to": "2022-04-30"})
    assert sorted(_rows(got.text)) == sorted([analyst["S1"], analyst["Z1"]])


def test_the_tables_download_as_csv(site: Any, analyst: dict[str, str]) -> None:
    http = signed_in(site, "ana")
    got = http.get(f"{PAGE}/incidents.csv", params={"type": "air-strike"})
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert sorted(r["id"] for r in rows) == sorted([analyst["K3"], analyst["U1"]])
    assert {r["external_id"] for r in rows} == {"K3", "U1"}
    timeline = list(csv.DictReader(io.StringIO(http.get(f"{PAGE}/timeline.csv").text)))
    assert {"month", "type", "count", "incidents"} <= set(timeline[0])


@pytest.mark.parametrize(
    "params",
    [{"period": "fortnight"}, {"date_from": "2022-02-30"}, {"level": "9"}, {"month": "2022-13"},
     {"date_from": "2022-05-01", "date_to": "2022-04-01"}, {"month": "2022-03", "day": "2022-03-05"},
     {"unit": "No Such Brigade"}],
)  # fmt: skip
def test_bad_parameters_are_shown_in_the_form(
    site: Any, analyst: dict[str, str], params: dict[str, str]
) -> None:
    http = signed_in(site, "ana")
    got = http.get(PAGE, params=params)
    assert got.status_code == 422, got.text
    assert 'class="problem"' in got.text and "<form" in got.text
    assert any(f'name="{key}"' in got.text for key in params)


def test_a_bad_figure_or_table_is_refused_not_a_server_error(
    site: Any, analyst: dict[str, str]
) -> None:
    http = signed_in(site, "ana")
    assert http.get(f"{PAGE}/pie.svg").status_code == 422
    assert http.get(f"{PAGE}/nothing.csv").status_code == 422
    assert http.get(f"{PAGE}/timeline.svg", params={"period": "hour"}).status_code == 422


def test_a_reader_without_the_role_gets_404(site: Any, analyst: dict[str, str]) -> None:
    http = signed_in(site, "olek")
    for path in (PAGE, f"{PAGE}/timeline.svg", f"{PAGE}/incidents.csv", f"{PAGE}/map.json",
                 "/cases/Patterns/analyses/counts"):  # fmt: skip
        assert http.get(path).status_code == 404, path


def test_the_analysis_page_shows_any_analysis(site: Any, analyst: dict[str, str]) -> None:
    http = signed_in(site, "ana", cookies={"testament_lang": "uk"})
    got = http.get("/cases/Patterns/analyses/counts", params=[("by", "area"), ("by", "month")])
    assert got.status_code == 200, got.text
    assert "Kharkiv" in got.text and 'translate="no"' in got.text
    table = http.get("/cases/Patterns/analyses/counts.csv", params=[("by", "type")])
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert {r["type"]: int(r["count"]) for r in rows} == {"shelling": 4, "air-strike": 2}
    units = http.get("/cases/Patterns/analyses/units")
    assert units.status_code == 200
    bad = http.get("/cases/Patterns/analyses/counts", params={"by": "colour"})
    assert bad.status_code == 422 and 'class="problem"' in bad.text
    assert http.get("/cases/Patterns/analyses/astrology").status_code == 422


def test_a_situation_has_a_patterns_page(
    site: Any, instance: Instance, analyst: dict[str, str]
) -> None:
    cases.create_situation(instance, cases.situation_values("Invasion", conflict="international"))
    cases.assign_situation(instance, "Patterns", "Invasion")
    cases.assign_situation(instance, "Elsewhere", "Invasion")
    add(instance, "Elsewhere", "E1", "2022-03-06", KHARKIV, types=("shelling",))
    http = signed_in(site, "ana")
    got = http.get("/situations/Invasion/patterns")
    assert got.status_code == 200, got.text
    assert sorted(_rows(got.text)) == sorted(analyst.values())


def test_an_analysis_page_draws_its_figure(site: Any, analyst: dict[str, str]) -> None:
    http = signed_in(site, "ana")
    page = http.get("/cases/Patterns/analyses/counts", params={"by": "target"})
    assert 'src="/cases/Patterns/analyses/counts.svg?by=target"' in page.text
    svg = http.get("/cases/Patterns/analyses/counts.svg", params={"by": "target"})
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    school = next(link for link in _links(svg.content) if "target=school" in link)
    narrowed = http.get(school.split("#")[0])
    assert narrowed.status_code == 200
    assert sorted(_rows(narrowed.text)) == sorted([analyst["K1"], analyst["K3"]])
    png = http.get("/cases/Patterns/analyses/counts.png", params=[("by", "month"), ("by", "type")])
    assert png.content.startswith(b"\x89PNG")
    assert http.get("/cases/Patterns/analyses/units.svg").status_code == 422


def test_the_page_asks_for_a_pattern_report_of_its_range(
    site: Any, analyst: dict[str, str]
) -> None:
    http = signed_in(site, "ana")
    page = http.get(PAGE, params={"date_from": "2022-03-01", "date_to": "2022-04-30"}).text
    assert f'action="{PAGE}/report"' in page and 'name="from" value="2022-03-01"' in page
    report = http.get(
        f"{PAGE}/report",
        params={"from": "2022-03-01", "to": "2022-04-30", "area": "", "format": "html"},
    )
    assert report.status_code == 200, report.text
    assert report.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("name", "params"),
    [("spikes", {"min_count": "1"}), ("repeats", {"radius_m": "500", "window_h": "48"}),
     ("clusters", {"min_samples": "2"}), ("protected", {}), ("context", {}),
     ("compare", {"with": "Elsewhere", "include": "context"}),
     ("compare", {"with": "Elsewhere", "terms": "broadest"})],
)  # fmt: skip
def test_every_analysis_has_its_page_and_csv(
    site: Any, instance: Instance, analyst: dict[str, str], name: str, params: dict[str, str]
) -> None:
    accounts.grant_role(instance, "ana", "Elsewhere", "viewer")
    http = signed_in(site, "ana", cookies={"testament_lang": "uk"})
    got = http.get(f"/cases/Patterns/analyses/{name}", params=params)
    assert got.status_code == 200, got.text
    assert 'class="problem"' not in got.text
    table = http.get(f"/cases/Patterns/analyses/{name}.csv", params=params)
    assert table.status_code == 200 and table.headers["content-type"].startswith("text/csv")
    assert f'href="/cases/Patterns/analyses/{name}"' in http.get(PAGE).text


def test_an_analysis_with_bad_numbers_is_shown_in_its_form(
    site: Any, analyst: dict[str, str]
) -> None:
    http = signed_in(site, "ana")
    for name, params in (("repeats", {"radius_m": "-5"}), ("spikes", {"min_count": "many"}),
                         ("compare", {}), ("clusters", {"method": "kmeans"}),
                         ("compare", {"with": "Elsewhere", "terms": "narrowest"})):  # fmt: skip
        got = http.get(f"/cases/Patterns/analyses/{name}", params=params)
        assert got.status_code == 422, (name, got.text)
        assert 'class="problem"' in got.text and "<form" in got.text


def test_the_pages_in_ukrainian_show_no_english(site: Any, analyst: dict[str, str]) -> None:
    http = signed_in(site, "ana", cookies={"testament_lang": "uk"})
    # The records' own words: the user, the case, the gazetteer's names, IDs and the methods' names.
    data = {"ana", "Patterns", "Kharkiv", "Kherson", "dbscan", "hdbscan", *SAMPLE_IDS}
    found = {}
    for path in (f"{PAGE}?target=school&date_from=2022-03-01", f"{PAGE}?period=bogus",
                 "/cases/Patterns/analyses/counts?by=area&by=type", "/cases/Patterns/analyses/units",
                 "/cases/Patterns/analyses/protected", "/cases/Patterns/analyses/clusters"):  # fmt: skip
        page = http.get(path)
        assert 'lang="uk"' in page.text, path
        english = _english_words(page.text, data)
        if english:
            found[path] = sorted(set(english))
    assert found == {}, f"English on Ukrainian pages: {found}"


def test_spikes_and_protected_objects_are_drawn_by_area(site: Any, analyst: dict[str, str]) -> None:
    http = signed_in(site, "ana")
    for name, params in (("spikes", {"min_count": "1"}), ("protected", {})):
        page = http.get(f"/cases/Patterns/analyses/{name}", params=params)
        assert f'src="/cases/Patterns/analyses/{name}.svg' in page.text, name
        links = _links(http.get(f"/cases/Patterns/analyses/{name}.svg", params=params).content)
        assert links and all("area=" in link for link in links), name


def test_the_network_links_a_unit_to_its_incidents(
    site: Any, instance: Instance, analyst: dict[str, str]
) -> None:
    units.create(instance, "1st Brigade")
    placements.place(
        instance, "1st Brigade", area="Kharkiv", from_date="2022-03-01", to_date="2022-03-20"
    )
    http = signed_in(site, "ana")
    page = http.get(PAGE)
    assert f'src="{PAGE}/network.svg?' in page.text
    svg = http.get(f"{PAGE}/network.svg").content
    assert b"1st Brigade" in svg
    unit = next(link for link in _links(svg) if "unit=" in link)
    narrowed = http.get(unit.split("#")[0])  # inside its presence; K3 (some day in March) possibly
    assert sorted(_rows(narrowed.text)) == sorted([analyst["K1"], analyst["K2"]])
    area = next(link for link in _links(svg) if "area=" in link)
    assert sorted(_rows(http.get(area.split("#")[0]).text)) == sorted(
        [analyst["K1"], analyst["K2"], analyst["K3"]]
    )
    units_csv = list(csv.DictReader(io.StringIO(http.get(f"{PAGE}/units.csv").text)))
    assert [row["unit"] for row in units_csv] == ["1st Brigade"]
