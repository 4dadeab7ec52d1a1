"""Preview: a small HTML card of an entity, for the client to show in a pop-up."""

from __future__ import annotations

from html import escape

from vic_semantic.namespaces import VIC
from vic_semantic.reconcile.ids import entity_iri, is_valid_iri
from vic_semantic.reconcile.types import notable_types
from vic_semantic.reconcile.values import names
from vic_semantic.search import SearchIndex
from vic_semantic.search.documents import FIELDS
from vic_semantic.store.base import Store

WIDTH = 400
HEIGHT = 220
_MAX_ROWS = 12


def preview_html(store: Store, index: SearchIndex, entity: str, lang: str) -> str | None:
    """Return an HTML page describing the entity, or None when the index has no such entity."""
    iri = entity_iri(entity)
    document = index.document(iri) if is_valid_iri(iri) else None
    if document is None:
        return None

    shown = {spec.predicate for spec in FIELDS[document.kind] if spec.is_label}
    rows = store.select(
        f"SELECT DISTINCT ?p ?o (isIRI(?o) AS ?iri) (LANG(?o) AS ?lang) WHERE {{ <{iri}> ?p ?o "
        f'FILTER(STRSTARTS(STR(?p), "{VIC}") && !isBlank(?o)) }} ORDER BY ?p ?o'
    )
    rows = [r for r in rows if r["p"] not in shown and r.get("lang", "") in ("", lang)]
    rows = rows[:_MAX_ROWS]
    labels = names(
        store,
        index,
        [r["p"] for r in rows] + [r["o"] for r in rows if r.get("iri") == "true"],
        lang,
    )

    types = ", ".join(t["name"] for t in notable_types(index, document, lang))
    description = document.description(lang)
    parts = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{escape(document.label(lang))}</title></head>",
        '<body style="font-family: sans-serif; font-size: 13px; margin: 6px">',
        f"<p><strong>{escape(document.label(lang))}</strong></p>",
        f'<p style="color: #555">{escape(types)}</p>' if types else "",
        f"<p>{escape(description)}</p>" if description else "",
        "<table>",
    ]
    for row in rows:
        value = labels.get(row["o"], row["o"]) if row.get("iri") == "true" else row["o"]
        parts.append(
            f'<tr><th style="text-align: left; padding-right: 8px">{escape(labels[row["p"]])}'
            f"</th><td>{escape(value)}</td></tr>"
        )
    parts.append(f'</table><p style="color: #888">{escape(iri)}</p></body></html>')
    return "".join(parts)
