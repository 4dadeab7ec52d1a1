"""The home page (the cluster at a glance) and the liveness check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.routers.cluster import LangDep, ServiceDep
from api.routers.portal import cluster_summary, render

router = APIRouter(tags=["Portal"])

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
def home(request: Request, service: ServiceDep, lang: LangDep) -> Response:
    """The cluster at a glance: members by kind and region, coverage, and the example query."""
    return render(
        request,
        "home.html",
        lang,
        example_query=EXAMPLE_QUERY,
        **cluster_summary(service, lang),
    )


@router.get("/health", summary="Liveness: the process answers")
async def health() -> dict[str, str]:
    return {"status": "ok"}
