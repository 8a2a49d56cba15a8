"""Real files for the preview and text extractors' tests, made with Pillow, ffmpeg and by hand.

PDFs are written object by object (a Type 1 Helvetica font for text pages, a grey image for scanned
ones), so a test knows exactly what each page holds. Source files carry a person's name, as an
item's working copy may, so that a test can check no failure reason repeats it.
"""

from __future__ import annotations

import os
import random
import struct
import subprocess
import zlib
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageCms, ImageDraw, ImageFont

from testament.pipeline.extractors.base import Extraction, ExtractionFailed, Extractor, Limits

# A working copy is named after its item; no failure reason may repeat this.
PERSONAL = "Olena Kovalenko"
# Where a scanned page's pixels sit on the PDF page: 200 pixels to the inch.
SCAN_DPI = 200
ORIENTATION = 0x0112
MAKE = 0x010F


def run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=60)


def cyrillic_font(size: int) -> ImageFont.FreeTypeFont:
    """A TrueType font with Ukrainian letters, as fontconfig finds it here."""
    found = subprocess.run(
        ["fc-match", "-f", "%{file}", "DejaVu Sans:lang=uk"],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout.strip()
    assert found and Path(found).is_file(), "no font with Cyrillic letters is installed"
    return ImageFont.truetype(found, size)


def text_image(lines: Sequence[str], *, size: int = 36, width: int = 900) -> Image.Image:
    """Black text on white, one line under another."""
    font = cyrillic_font(size)
    image = Image.new("L", (width, 40 + len(lines) * (size + 24)), 255)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        draw.text((30, 20 + index * (size + 24)), line, font=font, fill=0)
    return image


def noise_jpeg(path: Path, size: tuple[int, int] = (600, 400)) -> Path:
    """A JPEG of random pixels: every byte of its scan matters, so cutting it shows."""
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(size[0] * size[1] * 3))
    Image.frombytes("RGB", size, data).save(path, "JPEG", quality=90)
    return path


def oriented_jpeg(path: Path) -> Path:
    """A 1200x600 JPEG, red on the left and blue on the right, stored sideways: EXIF Orientation 6
    (turn 90 degrees clockwise to view), with a camera make and an sRGB ICC profile."""
    image = Image.new("RGB", (1200, 600), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 600, 600))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[MAKE] = "TestCam"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image.save(path, "JPEG", quality=90, exif=exif, icc_profile=icc)
    return path


def corrupt_exif_jpeg(path: Path) -> Path:
    """A JPEG whose EXIF block promises five entries and holds less than one (Pillow warns)."""
    tiff = b"II*\x00\x08\x00\x00\x00" + b"\x05\x00" + b"\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00"
    Image.new("RGB", (120, 80), (0, 128, 0)).save(path, "JPEG", exif=b"Exif\x00\x00" + tiff)
    return path


def bomb_png(path: Path, side: int = 30000) -> Path:
    """A valid one-bit PNG of ``side`` x ``side`` white pixels: 900 megapixels in half a megabyte."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    packer = zlib.compressobj(1)
    data = b"".join(packer.compress(row * 1000) for _ in range(side // 1000)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data)
    path.write_bytes(png + chunk(b"IEND", b""))
    return path


def video(path: Path, *, seconds: float = 2, size: str = "640x360", sar: str = "1") -> Path:
    """An MP4 of ffmpeg's test pattern at 10 frames a second; ``sar`` is its pixels' shape."""
    source = f"testsrc=duration={seconds}:size={size}:rate=10"
    args = ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", source, "-vf", f"setsar={sar}"]
    run(*args, "-pix_fmt", "yuv420p", "-y", str(path))
    return path


def live_webm(path: Path) -> Path:
    """A WebM written as a live stream is (to a pipe): its header gives no duration."""
    source = "testsrc=duration=1:size=320x240:rate=10"
    args = [
        "ffmpeg",
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        source,
        "-c:v",
        "libvpx",
        "-f",
        "webm",
        "-",
    ]
    path.write_bytes(subprocess.run(args, check=True, capture_output=True, timeout=60).stdout)
    return path


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _stream(dictionary: str, data: bytes) -> bytes:
    head = f"<< {dictionary} /Length {len(data)} >>\nstream\n".encode()
    return head + data + b"\nendstream"


def _text_page(lines: str, parent: int, content: int) -> tuple[bytes, bytes]:
    shown = " ".join(f"({_escape(line)}) Tj 0 -22 Td" for line in lines.splitlines())
    page = (
        f"<< /Type /Page /Parent {parent} 0 R /MediaBox [0 0 612 792] "
        f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content} 0 R >>"
    )
    return page.encode(), _stream("", f"BT /F1 18 Tf 72 720 Td {shown} ET".encode())


def _image_page(image: Image.Image, parent: int, content: int) -> tuple[bytes, bytes, bytes]:
    grey = image.convert("L")
    width, height = (round(side * 72 / SCAN_DPI, 2) for side in grey.size)
    page = (
        f"<< /Type /Page /Parent {parent} 0 R /MediaBox [0 0 {width} {height}] "
        f"/Resources << /XObject << /Im1 {content + 1} 0 R >> >> /Contents {content} 0 R >>"
    )
    draw = _stream("", f"q {width} 0 0 {height} 0 0 cm /Im1 Do Q".encode())
    picture = _stream(
        f"/Type /XObject /Subtype /Image /Width {grey.width} /Height {grey.height} "
        "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
        zlib.compress(grey.tobytes()),
    )
    return page.encode(), draw, picture


def pdf(pages: Sequence[str | Image.Image], *, catalog: str = "") -> bytes:
    """A PDF whose pages are Helvetica text (a string, one line per line) or a scanned image.

    ``catalog`` is added to the document catalog (e.g. an ``/OpenAction``)."""
    objects: dict[int, bytes] = {3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    kids: list[int] = []
    number = 4
    for page in pages:
        kids.append(number)
        if isinstance(page, str):
            objects[number], objects[number + 1] = _text_page(page, 2, number + 1)
            number += 2
        else:
            objects[number], objects[number + 1], objects[number + 2] = _image_page(
                page, 2, number + 1
            )
            number += 3
    objects[1] = f"<< /Type /Catalog /Pages 2 0 R {catalog} >>".encode()
    refs = " ".join(f"{kid} 0 R" for kid in kids)
    objects[2] = f"<< /Type /Pages /Kids [{refs}] /Count {len(kids)} >>".encode()
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for key in sorted(objects):
        offsets[key] = len(out)
        out += f"{key} 0 obj\n".encode() + objects[key] + b"\nendobj\n"
    start = len(out)
    out += f"xref\n0 {number}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offsets[key]:010d} 00000 n \n".encode() for key in range(1, number))
    out += f"trailer\n<< /Size {number} /Root 1 0 R >>\nstartxref\n{start}\n%%EOF\n".encode()
    return bytes(out)


def truncated(source: Path, path: Path, fraction: float = 0.5) -> Path:
    """The first ``fraction`` of ``source``, as a download cut short leaves it."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


def corrupted(source: Path, path: Path, *, keep: int = 64, tail: int = 0) -> Path:
    """``source`` with the bytes between its first ``keep`` and its last ``tail`` overwritten by
    random bytes: the header (and the index at the end, if kept) still describe the file, the
    content is garbage."""
    data = source.read_bytes()
    end = len(data) - tail
    rng = random.Random(11)
    garbage = bytes(rng.randrange(256) for _ in range(end - keep))
    path.write_bytes(data[:keep] + garbage + data[end:])
    return path


def mp4_index_size(path: Path) -> int:
    """How many bytes the last box of an MP4 that ffmpeg wrote takes: its index (``moov``)."""
    data = path.read_bytes()
    return len(data) - (data.rindex(b"moov") - 4)


def fifo(path: Path) -> Path:
    """A named pipe with no writer: anything that opens it to read waits for ever."""
    os.mkfifo(path)
    return path


def outcome(extractor: Extractor, source: Path, work: Path, limits: Limits) -> Extraction | str:
    """The extraction, or the failure's reason: what a bad input may give, and nothing else."""
    try:
        return extractor.extract(source, work, limits)
    except ExtractionFailed as failure:
        assert failure.reason
        assert PERSONAL not in failure.reason
        assert str(source.parent) not in failure.reason
        return failure.reason
