"""Mapping member catalogues onto the ontology, with saved column profiles and corrections."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from rdflib import URIRef
from rdflib.namespace import RDFS

from api.dependencies import get_principal, get_service, require_graph_write, require_writer
from api.errors import HttpError
from api.negotiation import choose_media_type
from api.uploads import uploaded_files
from vic_semantic.access import Role
from vic_semantic.mapping import saved
from vic_semantic.mapping.files import map_file
from vic_semantic.member_registry import require_registered_member
from vic_semantic.namespaces import VIC
from vic_semantic.service import VicService
from vic_semantic.validation.engine import default_ontology

router = APIRouter(tags=["Mapping"])

_REPORT_TYPES = ["application/json", "text/tab-separated-values"]
MemberParam = Annotated[
    str | None, Query(description="Member slug; the administrator must name one.")
]


async def _member_for(request: Request, member: str | None) -> str:
    """Return the member whose saved data the request uses; 401, 403, 400 or 404 otherwise.

    Profiles and corrections live in a graph of the member, so only that member and the
    administrator write them, and only for a member the members graph describes.
    """
    principal = require_writer(request)
    slug = _named_member(principal.member, member)
    require_graph_write(request, saved.profiles_graph(slug))
    await run_in_threadpool(require_registered_member, get_service(request).store, slug)
    return slug


def _named_member(own: str | None, member: str | None) -> str:
    """Return ``member``, else the member behind the token; 400 when neither is given."""
    slug = member or own
    if slug is None:
        raise HttpError(
            400,
            "missing_member",
            "Укажите участника параметром ?member=<slug>.",
            "Name the member with the parameter ?member=<slug>.",
        )
    return slug


@router.post("/catalogues/map", summary="Map a product file onto the ontology's classes")
async def map_catalogue(
    request: Request,
    service: Annotated[VicService, Depends(get_service)],
    profile: Annotated[str | None, Query(description="Saved column profile to apply.")] = None,
    member: MemberParam = None,
) -> Response:
    media_type = choose_media_type(request.headers.get("accept", ""), _REPORT_TYPES)
    if media_type is None:
        raise HttpError(
            406,
            "not_acceptable",
            f"Отчёт доступен в форматах: {', '.join(_REPORT_TYPES)}.",
            f"The report is available as: {', '.join(_REPORT_TYPES)}.",
        )
    principal = get_principal(request)
    slug = None
    if profile is not None or member is not None or principal.role is Role.MEMBER:
        slug = await _member_for(request, member)
    manual = saved.load_corrections(service.store, slug) if slug else {}
    columns = None
    if profile is not None and slug:
        columns = saved.load_profiles(service.store, slug).get(profile)
        if columns is None:
            raise _no_profile(profile)

    files = await uploaded_files(request, service.settings.max_upload_bytes)
    # NOTE: the whole file is read into memory; max_upload_bytes bounds it.
    ontology = default_ontology()
    reports = [
        await run_in_threadpool(
            map_file, name, data, ontology, manual, columns, service.settings.read_limits
        )
        for name, data in files
    ]
    if media_type == "text/tab-separated-values":
        text = "".join(r.to_sssom(ontology, slug) for r in reports)
        return Response(text, media_type="text/tab-separated-values; charset=utf-8")
    return JSONResponse({"files": [r.to_json(ontology) for r in reports]})


def _no_profile(name: str) -> HttpError:
    return HttpError(
        404,
        "profile_not_found",
        f"Профиль «{name}» не найден. Сохраните его запросом PUT /catalogues/profiles/{name}.",
        f"Profile '{name}' not found. Save it with PUT /catalogues/profiles/{name}.",
    )


@router.put("/catalogues/profiles/{name}", status_code=204, summary="Save a column profile")
async def put_profile(
    request: Request,
    name: str,
    service: Annotated[VicService, Depends(get_service)],
    columns: Annotated[dict[str, str], Body(description="File header → field key.")],
    member: MemberParam = None,
) -> Response:
    slug = await _member_for(request, member)
    await run_in_threadpool(saved.save_profile, service.store, slug, name, columns)
    return Response(status_code=204)


@router.get("/catalogues/profiles/{name}", summary="Read a saved column profile")
async def get_profile(
    request: Request,
    name: str,
    service: Annotated[VicService, Depends(get_service)],
    member: MemberParam = None,
) -> dict[str, Any]:
    # Every reader may read a profile: its graph under graph/member/{slug}/ is readable
    # through /sparql and /graphs anyway, as every graph is.
    slug = _named_member(get_principal(request).member, member)
    columns = saved.load_profiles(service.store, slug).get(name)
    if columns is None:
        raise _no_profile(name)
    return {"member": slug, "name": name, "columns": columns}


# Every product class of the ontology lies under this class (ontology/products.ttl).
PRODUCT_ROOT = VIC.FoodProduct


def _is_product_class(iri: URIRef) -> bool:
    """Return whether ``iri`` is a proper subclass of the product root, at any depth."""
    ontology = default_ontology()
    ancestors = set(ontology.transitive_objects(iri, RDFS.subClassOf))
    return iri != PRODUCT_ROOT and PRODUCT_ROOT in ancestors


@router.post("/catalogues/map/corrections", summary="Accept or correct a suggested class")
async def post_correction(
    request: Request,
    service: Annotated[VicService, Depends(get_service)],
    code: Annotated[str, Body(description="The member's product code (SKU).")],
    cls: Annotated[str, Body(alias="class", description="Class CURIE, e.g. vic:Kefir.")],
    label: Annotated[str, Body(description="Product name, for the record.")] = "",
    member: MemberParam = None,
) -> dict[str, Any]:
    slug = await _member_for(request, member)
    iri = URIRef(str(VIC) + cls.removeprefix("vic:")) if cls.startswith("vic:") else URIRef(cls)
    if not code.strip():
        raise HttpError(
            422,
            "invalid_correction",
            "Код товара пуст: укажите код (артикул) участника, к которому относится класс.",
            "The product code is empty: give the member's code (SKU) the class applies to.",
        )
    if not _is_product_class(iri):
        raise HttpError(
            422,
            "not_a_product_class",
            f"«{cls}» не является классом продукции онтологии (подклассом "
            f"vic:{PRODUCT_ROOT.removeprefix(str(VIC))}). Укажите класс продукции, например "
            "vic:Kefir; список: GET /ontology/docs.",
            f"'{cls}' is not a product class of the ontology (a subclass of "
            f"vic:{PRODUCT_ROOT.removeprefix(str(VIC))}). Give a product class such as "
            "vic:Kefir; see GET /ontology/docs for the list.",
        )
    await run_in_threadpool(saved.save_correction, service.store, slug, code.strip(), iri, label)
    return {
        "member": slug,
        "code": code.strip(),
        "class": str(iri),
        "justification": "semapv:ManualMappingCuration",
    }
