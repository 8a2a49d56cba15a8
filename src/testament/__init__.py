"""Testament: an evidence platform for documenting atrocity crimes with a verifiable chain of custody."""

__version__ = "0.1.0"
