"""Exercise how-to documents in, schema.org JSON-LD, wall cards and a catalogue out."""

from __future__ import annotations

__version__ = "0.1.0"
