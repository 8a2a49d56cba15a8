"""Text on real files: Ukrainian OCR of an image, a PDF's text page by page, scanned pages read by
Tesseract, JavaScript recorded but never run, and bad input (cut short, corrupt, a Tesseract hang)
failing cleanly."""

from __future__ import annotations

from pathlib import Path

import PIL
import pytest
from PIL import Image

from testament.pipeline.extractors import text
from testament.pipeline.extractors.base import Extraction, ExtractionFailed, Limits
from testament.pipeline.extractors.previews import poppler_version
from testament.pipeline.extractors.text import (
    TextExtractor,
    pdf_has_javascript,
    tesseract_version,
)
from tests.pipeline.extractors.files_previews import (
    ORIENTATION,
    PERSONAL,
    SCAN_DPI,
    corrupted,
    fifo,
    mp4_index_size,
    outcome,
    pdf,
    text_image,
    truncated,
    video,
)

LIMITS = Limits(timeout_s=30.0)
OPEN_ALERT = "/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
THREE_PAGES = [
    "Report on the shelling\nof a residential block",
    "Second page: witnesses\nand their statements",
    "Third page: damage\nto the school building",
]


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def _named(tmp_path: Path, suffix: str) -> Path:
    return tmp_path / f"{PERSONAL}{suffix}"


def _text_pdf(path: Path, pages: list[str | Image.Image], catalog: str = "") -> Path:
    path.write_bytes(pdf(pages, catalog=catalog))
    return path


def test_applies_to_pdf_and_images_tesseract_reads() -> None:
    extractor = TextExtractor()
    assert extractor.applies("application/pdf", "a.pdf")
    assert extractor.applies("image/jpeg", "a.jpg")
    assert extractor.applies("image/png", "a.png")
    assert extractor.applies("image/tiff", "a.tif")
    assert not extractor.applies("image/svg+xml", "a.svg")
    assert not extractor.applies("video/mp4", "a.mp4")


def test_tool_names_both_tools_and_their_versions() -> None:
    tool = TextExtractor().tool()
    assert tool.name == "pdftotext+Tesseract"
    assert tool.version == f"poppler {poppler_version()}; tesseract {tesseract_version()}"


@pytest.mark.parametrize("languages", ["", "eng;ls", "-l eng", "ukr+", "UKR"])
def test_languages_must_be_tesseract_codes(languages: str) -> None:
    with pytest.raises(ValueError, match="languages"):
        TextExtractor(languages=languages)


def test_ukrainian_text_in_an_image_is_read(tmp_path: Path, work: Path) -> None:
    source = _named(tmp_path, ".png")
    text_image(["Харків: обстріл житлового будинку", "Kharkiv, 12 травня"]).save(source)

    result = TextExtractor().extract(source, work, LIMITS)

    assert result.kind == "text"
    assert result.tool.name == "Tesseract"
    assert result.tool.version == tesseract_version()
    assert result.parameters == {"languages": "ukr+rus+eng", "psm": 3, "exif_orientation": 1}
    (span,) = result.text
    assert span.where == "image"
    assert span.page is None
    assert "Харків" in span.text
    assert "обстріл" in span.text
    assert not list(work.iterdir())


def test_a_photo_stored_sideways_is_turned_upright_before_it_is_read(
    tmp_path: Path, work: Path
) -> None:
    # Stored turned a quarter to the left, with EXIF Orientation 6: shown turned back clockwise.
    source = _named(tmp_path, ".jpg")
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    sideways = text_image(["Харків: обстріл житлового будинку"]).rotate(90, expand=True)
    sideways.save(source, "JPEG", quality=95, exif=exif)

    result = TextExtractor().extract(source, work, LIMITS)

    (span,) = result.text
    assert "Харків" in span.text
    assert "обстріл" in span.text
    assert result.parameters == {
        "languages": "ukr+rus+eng",
        "psm": 3,
        "exif_orientation": 6,
        "turned_upright_by": f"Pillow {PIL.__version__}",
    }
    assert not list(work.iterdir())


def test_a_pdf_s_text_is_read_page_by_page(tmp_path: Path, work: Path) -> None:
    source = _text_pdf(_named(tmp_path, ".pdf"), list(THREE_PAGES))

    result = TextExtractor().extract(source, work, LIMITS)

    assert result.tool.name == "pdftotext"
    assert result.tool.version == poppler_version()
    assert result.parameters == {"layout": True, "max_pages": 500}
    assert [(span.where, span.page) for span in result.text] == [
        ("page 1", 1),
        ("page 2", 2),
        ("page 3", 3),
    ]
    assert "Report on the shelling" in result.text[0].text
    assert "witnesses" in result.text[1].text
    assert "school building" in result.text[2].text
    assert result.metadata == {
        "javascript": False,
        "pages": 3,
        "page_limit_reached": False,
        "ocr_pages": [],
        "text_truncated": False,
    }


def test_a_scanned_pdf_is_read_by_ocr_page_by_page(tmp_path: Path, work: Path) -> None:
    source = _named(tmp_path, ".pdf")
    first = text_image(["Протокол огляду місця події"])
    second = text_image(["Обстріл у Харкові"])
    first.save(source, "PDF", resolution=SCAN_DPI, save_all=True, append_images=[second])

    result = TextExtractor().extract(source, work, LIMITS)

    assert result.tool.name == "pdftotext+Tesseract"
    assert result.tool.version == f"poppler {poppler_version()}; tesseract {tesseract_version()}"
    assert result.parameters == {
        "layout": True,
        "max_pages": 500,
        "languages": "ukr+rus+eng",
        "psm": 3,
        "dpi": 200,
        "min_chars": 16,
    }
    assert result.metadata["ocr_pages"] == [1, 2]
    assert [(span.where, span.page) for span in result.text] == [("page 1", 1), ("page 2", 2)]
    assert "Протокол" in result.text[0].text
    assert "Харкові" in result.text[1].text
    assert not list(work.iterdir())


def test_only_the_pages_without_text_are_read_by_ocr(tmp_path: Path, work: Path) -> None:
    scan = text_image(["Свідок бачив обстріл"])
    source = _text_pdf(_named(tmp_path, ".pdf"), [THREE_PAGES[0], scan, THREE_PAGES[2]])

    result = TextExtractor().extract(source, work, LIMITS)

    assert result.metadata["ocr_pages"] == [2]
    assert [span.page for span in result.text] == [1, 2, 3]
    assert "обстріл" in result.text[1].text
    assert "school building" in result.text[2].text


def test_after_a_page_s_ocr_fails_the_text_pages_are_still_read(tmp_path: Path, work: Path) -> None:
    scan = text_image(["Свідок бачив обстріл"])
    pages: list[str | Image.Image] = [THREE_PAGES[0], scan, THREE_PAGES[2], scan]
    source = _text_pdf(_named(tmp_path, ".pdf"), pages)

    # A language Tesseract has no data for fails every OCR, as a missing language pack would.
    result = TextExtractor(languages="xyz").extract(source, work, LIMITS)

    assert [span.page for span in result.text] == [1, 3]
    assert result.metadata["ocr_pages"] == []
    assert result.metadata["ocr_incomplete"].startswith("page 2: Tesseract failed (exit 1)")
    assert PERSONAL not in result.metadata["ocr_incomplete"]
    assert result.tool.name == "pdftotext"


def test_pages_past_the_limit_are_not_read(tmp_path: Path, work: Path) -> None:
    source = _text_pdf(_named(tmp_path, ".pdf"), list(THREE_PAGES))

    result = TextExtractor(max_pages=2).extract(source, work, LIMITS)

    assert [span.page for span in result.text] == [1, 2]
    assert result.metadata["page_limit_reached"] is True
    assert result.parameters["max_pages"] == 2


def test_a_pdf_of_exactly_the_page_limit_is_whole(tmp_path: Path, work: Path) -> None:
    source = _text_pdf(_named(tmp_path, ".pdf"), list(THREE_PAGES))

    result = TextExtractor(max_pages=3).extract(source, work, LIMITS)

    assert [span.page for span in result.text] == [1, 2, 3]
    assert result.metadata["page_limit_reached"] is False


def test_text_past_the_output_limit_is_cut(tmp_path: Path, work: Path) -> None:
    source = _text_pdf(_named(tmp_path, ".pdf"), list(THREE_PAGES))

    result = TextExtractor().extract(source, work, Limits(timeout_s=30.0, output_bytes=60))

    assert result.metadata["text_truncated"] is True
    assert sum(len(span.text.encode("utf-8")) for span in result.text) <= 60
    assert [span.page for span in result.text] == [1, 2]


# JavaScript: recorded, never run.


def test_a_pdf_with_javascript_is_read_and_the_javascript_recorded(
    tmp_path: Path, work: Path
) -> None:
    source = _text_pdf(_named(tmp_path, ".pdf"), list(THREE_PAGES), catalog=OPEN_ALERT)

    result = TextExtractor().extract(source, work, LIMITS)

    assert result.metadata["javascript"] is True
    assert [span.page for span in result.text] == [1, 2, 3]
    assert pdf_has_javascript(source)


def test_javascript_in_the_document_s_name_tree_is_found(tmp_path: Path) -> None:
    names = "/Names << /JavaScript << /Names [(greeting) << /S /JavaScript /JS (1) >>] >> >>"
    source = _text_pdf(tmp_path / "named.pdf", ["A page"], catalog=names)

    assert pdf_has_javascript(source)


def test_a_pdf_without_javascript_says_so(tmp_path: Path) -> None:
    source = _text_pdf(tmp_path / "plain.pdf", list(THREE_PAGES))

    assert not pdf_has_javascript(source)


def test_a_pdf_with_more_objects_than_the_walk_allows_has_its_javascript_unknown(
    tmp_path: Path, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _text_pdf(_named(tmp_path, ".pdf"), list(THREE_PAGES))
    monkeypatch.setattr(text, "MAX_OBJECTS", 3)

    with pytest.raises(ExtractionFailed, match="more than 3 objects"):
        pdf_has_javascript(source)
    result = TextExtractor().extract(source, work, LIMITS)

    assert result.metadata["javascript"] is None
    assert result.metadata["javascript_unknown"] == "the PDF has more than 3 objects to look at"
    assert [span.page for span in result.text] == [1, 2, 3]


def test_a_file_pypdf_cannot_read_is_a_clean_failure(tmp_path: Path) -> None:
    source = _named(tmp_path, ".pdf")
    source.write_bytes(b"%PDF-1.4\nnothing else\n")

    with pytest.raises(ExtractionFailed, match="pypdf could not read the PDF") as failed:
        pdf_has_javascript(source)

    assert PERSONAL not in failed.value.reason


# Bad input: a clean failure with a readable reason, or a partial result; never another exception.


def test_a_truncated_jpeg_fails_cleanly_or_gives_text(tmp_path: Path, work: Path) -> None:
    whole = tmp_path / "whole.jpg"
    text_image(["Харків"]).save(whole, "JPEG", quality=90)
    source = truncated(whole, _named(tmp_path, ".jpg"))

    found = outcome(TextExtractor(), source, work, LIMITS)

    if isinstance(found, Extraction):
        assert {span.where for span in found.text} <= {"image"}
    else:
        assert found.startswith("Tesseract failed")


def test_a_corrupt_jpeg_fails_cleanly_or_gives_text(tmp_path: Path, work: Path) -> None:
    whole = tmp_path / "whole.jpg"
    text_image(["Харків"]).save(whole, "JPEG", quality=90)
    source = corrupted(whole, _named(tmp_path, ".jpg"), keep=600)

    found = outcome(TextExtractor(), source, work, LIMITS)

    if isinstance(found, Extraction):
        assert {span.where for span in found.text} <= {"image"}
    else:
        assert found.startswith("Tesseract failed")


def test_a_truncated_mp4_is_refused(tmp_path: Path, work: Path) -> None:
    source = truncated(video(tmp_path / "whole.mp4"), _named(tmp_path, ".mp4"))

    assert outcome(TextExtractor(), source, work, LIMITS) == (
        "the file is not an image or a PDF (video/mp4)"
    )


def test_a_corrupt_mp4_is_refused(tmp_path: Path, work: Path) -> None:
    whole = video(tmp_path / "whole.mp4")
    source = corrupted(whole, _named(tmp_path, ".mp4"), tail=mp4_index_size(whole))

    assert outcome(TextExtractor(), source, work, LIMITS) == (
        "the file is not an image or a PDF (video/mp4)"
    )


def test_a_truncated_pdf_fails_cleanly_or_gives_text(tmp_path: Path, work: Path) -> None:
    whole = _text_pdf(tmp_path / "whole.pdf", list(THREE_PAGES))
    source = truncated(whole, _named(tmp_path, ".pdf"), fraction=0.6)

    found = outcome(TextExtractor(), source, work, LIMITS)

    if isinstance(found, Extraction):
        assert all(span.where == f"page {span.page}" for span in found.text)
    else:
        assert found.startswith("pdftotext failed")


def test_a_corrupt_pdf_fails_cleanly(tmp_path: Path, work: Path) -> None:
    whole = _text_pdf(tmp_path / "whole.pdf", list(THREE_PAGES))
    source = corrupted(whole, _named(tmp_path, ".pdf"), keep=16)

    found = outcome(TextExtractor(), source, work, LIMITS)

    assert isinstance(found, str)
    assert found.startswith("pdftotext failed")


def test_an_image_format_tesseract_cannot_read_is_refused(tmp_path: Path, work: Path) -> None:
    source = _named(tmp_path, ".svg")
    source.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>', encoding="utf-8"
    )

    assert outcome(TextExtractor(), source, work, LIMITS) == (
        "Tesseract does not read this image format (image/svg+xml)"
    )


def test_a_tesseract_hang_is_stopped_at_the_timeout(tmp_path: Path, work: Path) -> None:
    # Tesseract waits for ever on a pipe that nobody writes to.
    source = fifo(_named(tmp_path, ".png"))

    with pytest.raises(ExtractionFailed) as failed:
        TextExtractor().ocr(source, work, Limits(timeout_s=1.0))

    assert failed.value.reason == "Tesseract did not finish within 1 s"


def test_a_pipe_given_as_the_item_is_refused_without_being_opened(
    tmp_path: Path, work: Path
) -> None:
    source = fifo(_named(tmp_path, ".png"))

    with pytest.raises(ExtractionFailed, match="not a regular file"):
        TextExtractor().extract(source, work, Limits(timeout_s=1.0))
