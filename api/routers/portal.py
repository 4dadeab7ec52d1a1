"""The portal's pages: members, the SPARQL editor, file validation, catalogue mapping and
the analytics pictures.

Pages are Russian unless ``?lang=en`` or Accept-Language asks for English. They need no
JavaScript except the SPARQL editor, the upload page's in-place report and the mapping review.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from api.charts import closeness_svg, coverage_svg
from api.cluster_views import closeness_view, coverage_view, member_view, product_class_view
from api.mapping_view import product_class_options
from api.portal_text import PORTAL_TEXT
from api.routers.cluster import LangDep, ServiceDep
from vic_semantic.analytics import (
    closeness_matrix,
    find_member,
    innovation_coverage,
    list_members,
    load_labels,
    member_product_classes,
    named_queries,
)
from vic_semantic.service import VicService
from vic_semantic.validation.engine import default_ontology

router = APIRouter(tags=["Portal"], include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")

MEASURES = ("technical", "semantic", "trust")
_SVG = "image/svg+xml"


def render(request: Request, name: str, lang: str, status: int = 200, **context: Any) -> Response:
    """Render a portal template with the language, the UI words and the current path."""
    return templates.TemplateResponse(
        request,
        name,
        {"lang": lang, "ui": PORTAL_TEXT[lang], "path": request.url.path, **context},
        status_code=status,
        headers={"Content-Language": lang, "Vary": "Accept-Language"},
    )


def cluster_summary(service: VicService, lang: str) -> dict[str, Any]:
    """Return what the home page shows: members by kind and region, and the coverage."""
    labels = load_labels(service.store)
    members = [member_view(m, labels, lang) for m in list_members(service.store)]
    kinds = Counter(member["kind"]["label"] for member in members)
    regions = Counter(
        member["region"]["label"] for member in members if member["region"] is not None
    )
    coverage = coverage_view(innovation_coverage(service.store), labels, lang)
    return {
        "members": members,
        "by_kind": kinds.most_common(),
        "by_region": regions.most_common(),
        "coverage": coverage,
        "with_api": sum(1 for member in members if member["providesApi"]),
        "catalogues": sum(1 for member in members if member["catalogueProducts"]),
        "region_labels": {region["iri"]: region for region in coverage["regions"]},
    }


@router.get("/members", response_class=HTMLResponse)
def members_page(request: Request, service: ServiceDep, lang: LangDep) -> Response:
    labels = load_labels(service.store)
    members = [member_view(m, labels, lang) for m in list_members(service.store)]
    return render(request, "portal_members.html", lang, members=members)


@router.get("/members/{member_id}", response_class=HTMLResponse)
def member_page(member_id: str, request: Request, service: ServiceDep, lang: LangDep) -> Response:
    found = find_member(service.store, member_id)
    if found is None:
        return render(request, "portal_not_found.html", lang, status=404, value=member_id)
    labels = load_labels(service.store)
    classes = [
        product_class_view(item, labels, lang)
        for item in member_product_classes(service.store, found.iri)
    ]
    _, pairs = closeness_matrix(service.store)
    mine = [closeness_view(p, labels, lang) for p in pairs if found.iri in (p.a, p.b)]
    mine.sort(key=lambda p: (-p["technical"]["value"], p["a"]["name"], p["b"]["name"]))
    closest = [
        {"other": p["b"] if p["a"]["iri"] == found.iri else p["a"], "pair": p} for p in mine[:5]
    ]
    return render(
        request,
        "portal_member.html",
        lang,
        member=member_view(found, labels, lang),
        classes=classes,
        closest=closest,
    )


@router.get("/editor", response_class=HTMLResponse)
def editor_page(request: Request, lang: LangDep) -> Response:
    queries = [
        {"id": q.id, "title": q.title(lang), "description": q.description(lang), "text": q.text}
        for q in named_queries()
    ]
    return render(request, "portal_editor.html", lang, queries=queries)


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, lang: LangDep) -> Response:
    return render(request, "portal_upload.html", lang)


@router.get("/mapping", response_class=HTMLResponse)
def mapping_page(request: Request, service: ServiceDep, lang: LangDep) -> Response:
    # The same ontology graph that POST /catalogues/map and its corrections route use.
    classes = product_class_options(default_ontology(), lang)
    # Every member is offered, because the page cannot tell an administrator's token from a
    # member's before a request. The API rejects a member token naming another member (403).
    labels = load_labels(service.store)
    members = sorted(
        ({"id": m.slug, "name": labels.get(m.iri, lang)} for m in list_members(service.store)),
        key=lambda member: member["name"].casefold(),
    )
    return render(request, "portal_mapping.html", lang, classes=classes, members=members)


@router.get("/analytics", response_class=HTMLResponse)
def analytics_page(
    request: Request,
    service: ServiceDep,
    lang: LangDep,
    measure: Annotated[str, Query(description="technical, semantic or trust")] = "technical",
) -> Response:
    measure = measure if measure in MEASURES else "technical"
    labels = load_labels(service.store)
    coverage = coverage_view(innovation_coverage(service.store), labels, lang)
    _, pairs = closeness_matrix(service.store)
    views = [closeness_view(p, labels, lang) for p in pairs]
    ranked = sorted(
        (v for v in views if v[measure] is not None and v[measure]["value"]),
        key=lambda v: (-v[measure]["value"], v["a"]["name"], v["b"]["name"]),
    )
    return render(
        request,
        "portal_analytics.html",
        lang,
        coverage=coverage,
        measure=measure,
        measures=MEASURES,
        top_pairs=ranked[:15],
    )


@router.get("/portal/charts/coverage.svg")
def coverage_chart(service: ServiceDep, lang: LangDep) -> Response:
    labels = load_labels(service.store)
    coverage = coverage_view(innovation_coverage(service.store), labels, lang)
    return Response(coverage_svg(coverage, PORTAL_TEXT[lang]), media_type=_SVG)


@router.get("/portal/charts/closeness.svg")
def closeness_chart(
    service: ServiceDep,
    lang: LangDep,
    measure: Annotated[str, Query(description="technical, semantic or trust")] = "technical",
) -> Response:
    measure = measure if measure in MEASURES else "technical"
    labels = load_labels(service.store)
    members, pairs = closeness_matrix(service.store)
    member_views = [{"iri": m, "name": labels.get(m, lang)} for m in members]
    views = [closeness_view(p, labels, lang) for p in pairs]
    return Response(
        closeness_svg(member_views, views, measure, PORTAL_TEXT[lang]), media_type=_SVG
    )
