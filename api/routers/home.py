"""The home page and the liveness check."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.dependencies import get_language, get_service
from vic_semantic.service import VicService

router = APIRouter(tags=["Portal"])
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")

EXAMPLE_QUERY = """\
PREFIX vic: <https://w3id.org/vic-semantic/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?plant ?productClass (COUNT(DISTINCT ?product) AS ?products)
WHERE {
  ?product a vic:DairyProduct ;
           vic:manufacturer ?member .
  GRAPH ?catalogue { ?product a ?class }
  FILTER (?catalogue != <https://w3id.org/vic-semantic/graph/inferred>)
  ?member vic:name ?plant .
  FILTER (lang(?plant) = "ru")
  ?class rdfs:label ?productClass .
  FILTER (lang(?productClass) = "ru")
}
GROUP BY ?plant ?productClass
ORDER BY ?plant ?productClass
"""


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def home(
    request: Request,
    service: Annotated[VicService, Depends(get_service)],
    lang: Annotated[str, Depends(get_language)],
) -> HTMLResponse:
    chosen = request.query_params.get("lang")
    if chosen in ("ru", "en"):
        lang = chosen
    return templates.TemplateResponse(
        request,
        "home.html",
        {"lang": lang, "graphs": service.store.graphs(), "example_query": EXAMPLE_QUERY},
        headers={"Content-Language": lang},
    )


@router.get("/health", summary="Liveness: the process answers")
async def health() -> dict[str, str]:
    return {"status": "ok"}
