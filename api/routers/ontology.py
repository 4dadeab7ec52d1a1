"""The ontology and its term pages, with content negotiation.

``GET /ontology`` returns the whole ontology and ``GET /ontology/{term}`` one term, so each
term IRI under https://w3id.org/vic-semantic/ontology/ resolves. Browsers get HTML (Russian
unless Accept-Language or ``?lang=en`` asks for English); RDF clients get Turtle, JSON-LD,
RDF/XML or N-Triples by Accept, or by ``?format=`` for links that cannot set a header.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from api.dependencies import get_language, get_service
from api.errors import HttpError
from api.negotiation import choose_media_type
from api.ontology_text import LANGUAGE_NAMES, UI_TEXT
from vic_semantic.namespaces import VIC
from vic_semantic.ontology.documentation import KIND_ORDER, build_documentation, class_tree
from vic_semantic.ontology.terms import LANGUAGES, RDF_MEDIA_TYPES, TermIndex, term_index
from vic_semantic.service import VicService

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/ontology", tags=["Ontology"])
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")

HTML = "text/html"
# RDF first, so that a client sending ``*/*`` or no Accept gets data; browsers list
# text/html explicitly and get the page.
OFFERS = [*RDF_MEDIA_TYPES, HTML]
FORMAT_PARAMETER = {
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "xml": "application/rdf+xml",
    "nt": "application/n-triples",
    "html": HTML,
}
DOWNLOADS = (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("rdf", "RDF/XML"), ("nt", "N-Triples"))
_VARY = "Accept, Accept-Language"

FormatQuery = Annotated[
    str | None, Query(alias="format", description="ttl, jsonld, rdf, nt or html; overrides Accept")
]
LangQuery = Annotated[str | None, Query(description="ru or en; overrides Accept-Language")]


def _index(service: VicService) -> TermIndex:
    return term_index(service.settings.ontology_dir)


def _page_language(header_language: str, lang: str | None) -> str:
    return lang if lang in ("ru", "en") else header_language


def _media_type(request: Request, format_name: str | None) -> str:
    if format_name is not None:
        chosen = FORMAT_PARAMETER.get(format_name.lower())
        if chosen is None:
            listed = ", ".join(sorted(set(FORMAT_PARAMETER)))
            raise HttpError(
                400,
                "invalid_format",
                f"Неизвестный формат format={format_name}. Допустимые значения: {listed}.",
                f"Unknown format={format_name}. Allowed values: {listed}.",
            )
        return chosen

    accept = request.headers.get("accept")
    media_type = choose_media_type(accept, OFFERS)
    if media_type is None:
        listed = ", ".join(OFFERS)
        raise HttpError(
            406,
            "not_acceptable",
            f"Нет подходящего формата для Accept: {accept}. Доступны: {listed}.",
            f"No format matches Accept: {accept}. Available: {listed}.",
        )
    return media_type


def _rdf_response(body: bytes, media_type: str) -> Response:
    charset = "" if media_type.endswith("+xml") else "; charset=utf-8"
    return Response(body, media_type=f"{media_type}{charset}", headers={"Vary": _VARY})


def _page(request: Request, template: str, lang: str, context: dict[str, object]) -> HTMLResponse:
    context = {
        "lang": lang,
        "ui": UI_TEXT[lang],
        "language_names": LANGUAGE_NAMES[lang],
        "label_languages": LANGUAGES,
        "downloads": DOWNLOADS,
        "path": request.url.path,
        **context,
    }
    status = int(str(context.pop("status", 200)))
    return templates.TemplateResponse(
        request,
        template,
        context,
        status_code=status,
        headers={"Content-Language": lang, "Vary": _VARY},
    )


@router.get("", summary="The whole ontology: Turtle, JSON-LD, RDF/XML, N-Triples or HTML")
async def whole_ontology(
    request: Request,
    service: Annotated[VicService, Depends(get_service)],
    header_language: Annotated[str, Depends(get_language)],
    format_name: FormatQuery = None,
    lang: LangQuery = None,
) -> Response:
    media_type = _media_type(request, format_name)
    index = _index(service)
    if media_type != HTML:
        return _rdf_response(index.serialise(RDF_MEDIA_TYPES[media_type]), media_type)

    language = _page_language(header_language, lang)
    documentation = build_documentation(index, language)
    counts = {kind: len(views) for kind, views in documentation.sections.items()}
    return _page(
        request,
        "ontology_overview.html",
        language,
        {
            "header": documentation.header,
            "counts": counts,
            "class_tree": class_tree(index, language),
        },
    )


@router.get("/docs", response_class=HTMLResponse, summary="HTML documentation of every term")
async def ontology_docs(
    request: Request,
    service: Annotated[VicService, Depends(get_service)],
    header_language: Annotated[str, Depends(get_language)],
    lang: LangQuery = None,
) -> HTMLResponse:
    language = _page_language(header_language, lang)
    documentation = build_documentation(_index(service), language)
    return _page(
        request,
        "ontology_docs.html",
        language,
        {"doc": documentation, "kind_order": KIND_ORDER},
    )


@router.get("/{term}", summary="One term: HTML page, or its concise bounded description as RDF")
async def ontology_term(
    term: str,
    request: Request,
    service: Annotated[VicService, Depends(get_service)],
    header_language: Annotated[str, Depends(get_language)],
    format_name: FormatQuery = None,
    lang: LangQuery = None,
) -> Response:
    media_type = _media_type(request, format_name)
    index = _index(service)
    language = _page_language(header_language, lang)
    iri = index.lookup(term)
    if iri is None:
        return _not_found(request, index, term, media_type, language)

    if media_type != HTML:
        return _rdf_response(index.describe_rdf(iri, RDF_MEDIA_TYPES[media_type]), media_type)
    return _page(request, "ontology_term.html", language, {"view": index.describe(iri, language)})


def _not_found(
    request: Request, index: TermIndex, term: str, media_type: str, lang: str
) -> Response:
    matches = index.close_matches(term)
    listed = ", ".join(matches) if matches else "—"
    message_ru = (
        f"Термин «{term}» не найден в онтологии {VIC}. Похожие термины: {listed}. "
        "Список всех терминов: /ontology/docs."
    )
    message_en = (
        f"The term '{term}' is not in the ontology {VIC}. Similar terms: {listed}. "
        "Every term is listed at /ontology/docs."
    )
    logger.info("ontology term not found: %r; close matches %s", term, matches)
    links = [{"term": name, "iri": f"{VIC}{name}", "href": f"/ontology/{name}"} for name in matches]

    if media_type == HTML:
        return _page(
            request,
            "ontology_not_found.html",
            lang,
            {
                "term": term,
                "matches": links,
                "message_ru": message_ru,
                "message_en": message_en,
                "status": 404,
            },
        )
    body = {
        "status": 404,
        "error": "term_not_found",
        "message": message_en if lang == "en" else message_ru,
        "messages": {"ru": message_ru, "en": message_en},
        "details": {"close_matches": links},
    }
    return JSONResponse(body, status_code=404, headers={"Content-Language": lang, "Vary": _VARY})
