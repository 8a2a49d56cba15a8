"""Perceptual hashes for near-duplicates: PDQ for images, vPDQ for video (kind ``phash``).

A perceptual hash is an analysis aid: it says two files *look* alike, never that they are the same
file. Integrity rests on the SHA-256 digests in the vault and the custody log, never on these.

Every hash is 32 bytes in PDQ's canonical order, so image hashes and video frame hashes compare with
each other: ``value.hex()`` is the 64-digit hex string that Facebook's PDQ tools and ThreatExchange
print. Bit ``k`` of the hash (``k`` in 0..255, as PDQ numbers them) is bit ``k % 8`` of byte
``31 - k // 8``, the most significant bit of each byte first (``numpy.packbits``'s default order over
pdqhash's bit vector, which lists bit 255 first).

Images are decoded by Pillow at reduced size: a JPEG's DCT scaling decodes only its luma, at the
smallest scale that keeps both sides at least ``decode_size`` pixels (512 by default). PDQ reduces
every image to 64x64 luma anyway, so this moves the hash by a few bits (against a full-size RGB
decode, over 200 photo-like 1600x1200 JPEGs decoded at 800x600: 2.5 bits on average, 6 at the 95th
percentile, 8 at most), far below the 31-bit threshold, and it makes hashing faster than decoding the
full image alone. The EXIF orientation is applied first,
so a photo and the same photo re-saved upright by a platform compare as alike.

Video goes through vPDQ in a child process under the job's limits (its decoder reads the file itself,
frame by frame, so memory stays bounded whatever the file's size): one hash per ``seconds_per_hash``
of video, each with the second it was taken at.
"""

from __future__ import annotations

import functools
import importlib.metadata
import sys
import warnings
from pathlib import Path

import magic
import numpy as np
import numpy.typing as npt
import pdqhash
from PIL import Image, ImageOps

from testament.pipeline.extractors.base import (
    Extraction,
    ExtractionFailed,
    Limits,
    PerceptualHash,
    Tool,
    run_tool,
)

ALGORITHM = "pdq"
BIT_ORDER = "pdq-canonical: byte 0 holds bits 255..248, most significant bit first"
IMAGE_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "image/tiff", "image/bmp"}
)
# PDQ's own quality score (0..100): below this a hash says little (a flat or nearly blank picture)
# and matches many unrelated ones. Hashes are kept whatever their quality; callers may filter.
MIN_USEFUL_QUALITY = 50
# Pillow's formats read here: the ones IMAGE_TYPES name (JPEG includes a phone's multi-picture MPO).
# Naming them keeps Pillow's rarer decoders away from hostile files.
_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP")
# The vPDQ child. It imports vpdq alone, so the job's address-space limit goes to decoding, and prints
# one ``second quality hex`` line per frame hashed; vpdq raises a bare Exception for a file its
# decoder cannot read.
_VPDQ_CHILD = """
import sys
import vpdq
path, seconds, threads = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
try:
    features = vpdq.computeHash(path, seconds_per_hash=seconds, thread_count=threads)
except Exception:
    sys.exit("vpdq could not read the video: it is truncated, corrupt or not a video")
for feature in features:
    print(repr(feature.timestamp), int(feature.quality), feature.hex)
"""


class PerceptualHashExtractor:
    """PDQ hashes of an image, or one vPDQ hash per sampled second of a video.

    ``decode_size``: the smallest side a JPEG is decoded at (its DCT scaling keeps both sides at least
    this). ``max_pixels``: a larger image (declared size) is refused as a possible decompression bomb.
    ``seconds_per_hash``: how often a video frame is hashed. ``max_frames``: the most frame hashes kept
    for one video, spread evenly over it. ``threads``: vPDQ's hashing threads."""

    kind = "phash"

    def __init__(
        self,
        *,
        decode_size: int = 512,
        max_pixels: int = 100_000_000,
        seconds_per_hash: float = 1.0,
        max_frames: int = 3600,
        threads: int = 2,
    ) -> None:
        if decode_size < 64:
            raise ValueError(
                f"decode_size must be at least 64 pixels (PDQ's grid), not {decode_size}"
            )
        if seconds_per_hash <= 0 or min(max_frames, max_pixels, threads) < 1:
            raise ValueError(
                "seconds_per_hash, max_frames, max_pixels and threads must be positive"
            )
        self.decode_size = decode_size
        self.max_pixels = max_pixels
        self.seconds_per_hash = seconds_per_hash
        self.max_frames = max_frames
        self.threads = threads

    def applies(self, media_type: str, name: str) -> bool:
        return media_type in IMAGE_TYPES or media_type.startswith("video/")

    def tool(self) -> Tool:
        """pdqhash, which hashes images; a video's extraction records vpdq instead."""
        return Tool("pdqhash", _version("pdqhash"))

    def extract(self, source: Path, work: Path, limits: Limits) -> Extraction:
        if _is_video(source):
            return self._video(source, limits)
        return self._image(source)

    def _image(self, source: Path) -> Extraction:
        luma, size, decoded = self._decode(source)
        bits, quality = pdqhash.compute(np.broadcast_to(luma[:, :, None], (*luma.shape, 3)))
        value = pack_bits(bits)
        return Extraction(
            kind=self.kind,
            tool=self.tool(),
            parameters={
                "algorithm": ALGORITHM,
                "bit_order": BIT_ORDER,
                "decode_size": self.decode_size,
                "decoded_size": list(decoded),
                "image_size": list(size),
                "orientation": "EXIF orientation applied",
            },
            hashes=[PerceptualHash(ALGORITHM, value, int(quality), 0.0)],
        )

    def _decode(
        self, source: Path
    ) -> tuple[npt.NDArray[np.uint8], tuple[int, int], tuple[int, int]]:
        """The image's luma at reduced size, its declared size and the size decoded."""
        try:
            with warnings.catch_warnings():
                # The pixel cap below is the rule, and Pillow's other warnings (corrupt EXIF data)
                # change nothing here: what decodes is hashed, what does not fails below.
                warnings.simplefilter("ignore")
                with Image.open(source, formats=_FORMATS) as image:
                    size = image.size
                    if size[0] * size[1] > self.max_pixels:
                        raise ExtractionFailed(_too_large(size, self.max_pixels))
                    image.draft("L", (self.decode_size, self.decode_size))
                    upright = ImageOps.exif_transpose(image)
                    return _luma(upright), size, upright.size
        except ExtractionFailed:
            raise
        except Image.DecompressionBombError:
            raise ExtractionFailed(
                f"the image declares more pixels than the decoder accepts (cap {self.max_pixels})"
            ) from None
        except Exception as error:  # a hostile file can make Pillow raise almost anything
            # Pillow's messages may quote the file's path, so only the kind of failure is given.
            raise ExtractionFailed(
                f"the image could not be decoded ({type(error).__name__}): "
                "the file is truncated, corrupt or not an image format Pillow reads"
            ) from None

    def _video(self, source: Path, limits: Limits) -> Extraction:
        seconds, threads = repr(self.seconds_per_hash), str(self.threads)
        out = run_tool(
            [sys.executable, "-c", _VPDQ_CHILD, str(source), seconds, threads], limits, name="vpdq"
        )
        frames = [_frame(line) for line in out.decode("ascii").splitlines() if line.strip()]
        if not frames:
            raise ExtractionFailed("no frame could be decoded")
        kept = _spread(frames, self.max_frames)
        return Extraction(
            kind=self.kind,
            tool=Tool("vpdq", _version("vpdq")),
            parameters={
                "algorithm": ALGORITHM,
                "bit_order": BIT_ORDER,
                "seconds_per_hash": self.seconds_per_hash,
                "max_frames": self.max_frames,
                "frames_hashed": len(frames),
                "frames_kept": len(kept),
            },
            hashes=kept,
        )


@functools.cache
def _version(package: str) -> str:
    """The installed version (looked up once: reading package metadata costs a millisecond)."""
    return importlib.metadata.version(package)


def pack_bits(bits: npt.NDArray[np.integer]) -> bytes:
    """pdqhash's 256-element bit vector (bit 255 first) as the 32 bytes of PDQ's canonical order."""
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes()


def _is_video(source: Path) -> bool:
    """Whether libmagic reads the file's first bytes as a video, whatever its name says."""
    return str(magic.from_file(str(source), mime=True)).startswith("video/")


def _too_large(size: tuple[int, int], cap: int) -> str:
    return f"the image is {size[0]}x{size[1]} pixels, over the cap of {cap} (a decompression bomb?)"


def _luma(image: Image.Image) -> npt.NDArray[np.uint8]:
    """8-bit luma (ITU-R 601, as PDQ computes it); deeper images are stretched to 0..255."""
    if image.mode == "L":
        return np.asarray(image, dtype=np.uint8)
    if image.mode in {"I", "F"} or image.mode.startswith("I;16"):
        values = np.asarray(image, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        span = high - low if high > low else 1.0
        return ((values - low) * (255.0 / span)).astype(np.uint8)
    return np.asarray(image.convert("L"), dtype=np.uint8)


def _frame(line: str) -> PerceptualHash:
    second, quality, digest = line.split()
    return PerceptualHash(ALGORITHM, bytes.fromhex(digest), int(quality), float(second))


def _spread(frames: list[PerceptualHash], cap: int) -> list[PerceptualHash]:
    """At most ``cap`` frames, evenly spread over the video, the first and the last included."""
    if len(frames) <= cap:
        return frames
    picks = np.unique(np.linspace(0, len(frames) - 1, cap).round().astype(np.int64))
    return [frames[int(i)] for i in picks]
