"""Content negotiation by RFC 9110: the Accept and Accept-Language request headers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    quality: float

    def specificity(self, media_type: str) -> int | None:
        """Return how closely this range matches ``media_type`` (2 exact, 0 */*), or None."""
        offered_type, _, offered_subtype = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != offered_type:
            return None
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == offered_subtype else None


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return min(max(float(value), 0.0), 1.0)
            except ValueError:
                return 0.0
    return 1.0


def parse_accept(header: str) -> list[MediaRange]:
    """Parse an Accept header; ranges that are not ``type/subtype`` are skipped."""
    ranges = []
    for item in header.split(","):
        media, *parameters = item.split(";")
        media_type, slash, subtype = media.strip().lower().partition("/")
        if not slash or not media_type or not subtype:
            continue
        ranges.append(MediaRange(media_type, subtype, _quality(parameters)))
    return ranges


def choose_media_type(accept: str | None, offers: Sequence[str]) -> str | None:
    """Return the offer the client prefers, or None when it accepts none of them.

    Each offer takes the quality of the most specific range that matches it, so
    ``text/*;q=0, text/csv`` accepts CSV and nothing else of type text. A quality of 0 means
    "not acceptable". Ties go to the earlier offer, which is the server's preference.
    """
    if not accept or not accept.strip():
        return offers[0] if offers else None

    ranges = parse_accept(accept)
    best: tuple[float, str] | None = None
    for offer in offers:
        matches = [
            (specificity, media_range.quality)
            for media_range in ranges
            if (specificity := media_range.specificity(offer)) is not None
        ]
        if not matches:
            continue
        quality = max(matches)[1]
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, offer)
    return best[1] if best else None


def choose_language(accept_language: str | None, supported: Sequence[str] = ("ru", "en")) -> str:
    """Return "ru" or "en" from an Accept-Language header; Russian when nothing matches."""
    if not accept_language:
        return supported[0]
    best: tuple[float, str] | None = None
    for item in accept_language.split(","):
        tag, *parameters = item.split(";")
        primary = tag.strip().lower().split("-")[0]
        quality = _quality(parameters)
        language = supported[0] if primary == "*" else primary
        if language in supported and quality > 0 and (best is None or quality > best[0]):
            best = (quality, language)
    return best[1] if best else supported[0]
