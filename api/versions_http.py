"""The version routes that catalogues and veterinary logs share: the list, one version, a diff.

Both kinds of submission are stored the same way (see ``vic_semantic.submissions.versions``),
so their routes differ only in the path prefix and in the words of their error messages.
Reading is open to every principal that may read at all: the application-wide ``require_read``
dependency checks that, and no route here checks a token itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from rdflib import Graph

from api.errors import HttpError
from api.negotiation import choose_media_type
from vic_semantic.member_registry import require_registered_member
from vic_semantic.service import VicService
from vic_semantic.store.base import Store
from vic_semantic.submissions.versions import (
    SubmissionKind,
    list_versions,
    read_version,
    version_numbers,
)

RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


@dataclass(frozen=True)
class VersionedData:
    """A kind of versioned submission, with its route prefix and the words messages use."""

    kind: SubmissionKind
    route: str
    genitive_ru: str
    name_en: str


CATALOGUE = VersionedData(SubmissionKind.CATALOGUE, "/catalogues", "каталога", "catalogue")
VETERINARY = VersionedData(
    SubmissionKind.VETERINARY, "/veterinary", "ветеринарных журналов", "veterinary logs"
)


def number_ranges(numbers: list[int]) -> str:
    """Return ascending numbers as runs: [1, 2, 3, 5] → "1–3, 5"."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs)


def version_not_found(data: VersionedData, slug: str, number: int, stored: list[int]) -> HttpError:
    """Return the 404 for a missing version, naming the versions that are stored."""
    if not stored:
        return HttpError(
            404,
            "version_not_found",
            f"У {data.genitive_ru} участника «{slug}» нет версии {number}: ни одна версия ещё "
            "не сохранена. Версия появляется, когда POST /catalogues принимает файлы.",
            f"There is no version {number} of the {data.name_en} of '{slug}': no version is "
            "stored yet. A version is stored when POST /catalogues accepts the files.",
        )
    ranges = number_ranges(stored)
    return HttpError(
        404,
        "version_not_found",
        f"У {data.genitive_ru} участника «{slug}» нет версии {number}. Сохранены версии "
        f"{ranges}; их даты и файлы: GET {data.route}/{slug}/versions.",
        f"There is no version {number} of the {data.name_en} of '{slug}'. The stored versions "
        f"are {ranges}; see their dates and files with GET {data.route}/{slug}/versions.",
    )


def read_existing_version(store: Store, data: VersionedData, slug: str, number: int) -> Graph:
    """Return one version's triples, or raise 404 for an unknown member or a missing version."""
    graph = read_version(store, slug, number, data.kind)
    if graph is not None:
        return graph

    stored = version_numbers(store, slug, data.kind)
    if not stored:
        # A former member keeps its versions, so the member is checked only when none exists.
        require_registered_member(store, slug)
    raise version_not_found(data, slug, number, stored)


async def versions_response(service: VicService, data: VersionedData, slug: str) -> JSONResponse:
    """Return the member's versions, oldest first, or raise 404 for an unknown member."""
    found = await run_in_threadpool(list_versions, service.store, slug, data.kind)
    if not found:
        # An empty list only for a registered member; a former member keeps its versions.
        await run_in_threadpool(require_registered_member, service.store, slug)
    return JSONResponse({"member": slug, "versions": [v.to_json() for v in found]})


async def version_response(
    request: Request, service: VicService, data: VersionedData, slug: str, number: int
) -> Response:
    """Return one version as RDF in the format the Accept header prefers (Turtle by default)."""
    media_type = choose_media_type(request.headers.get("accept", ""), list(RDF_TYPES))
    if media_type is None:
        raise HttpError(
            406,
            "not_acceptable",
            f"Версия {data.genitive_ru} доступна в форматах: {', '.join(RDF_TYPES)}. Укажите "
            "один из них в заголовке Accept.",
            f"A version of the {data.name_en} is available as: {', '.join(RDF_TYPES)}. Name one "
            "of them in the Accept header.",
        )
    graph = await run_in_threadpool(read_existing_version, service.store, data, slug, number)
    body = await run_in_threadpool(graph.serialize, format=RDF_TYPES[media_type])
    return Response(body, media_type=media_type)


async def read_versions_to_compare(
    service: VicService, data: VersionedData, slug: str, older: int, newer: int
) -> tuple[Graph, Graph]:
    """Return the two versions of a diff, or raise 404 naming the first one that is missing.

    ``older`` may be the larger number, and then the diff shows the way back, with added
    and removed swapped. Equal numbers give an empty diff.
    """
    before = await run_in_threadpool(read_existing_version, service.store, data, slug, older)
    after = await run_in_threadpool(read_existing_version, service.store, data, slug, newer)
    return before, after
