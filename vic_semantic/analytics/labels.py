"""Display labels of terms and individuals, in the reader's language with a Russian fallback."""

from __future__ import annotations

from dataclasses import dataclass

from vic_semantic.analytics.sparql_files import SelectStore

# vic:name is a subproperty of rdfs:label, so the inferred graph gives members an rdfs:label.
# The query still reads both properties, so it also works on a store without inferences.
_LABELS_QUERY = """\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX vic: <https://w3id.org/vic-semantic/ontology/>
SELECT DISTINCT ?iri ?label ?lang
WHERE {
  { ?iri rdfs:label ?label } UNION { ?iri vic:name ?label }
  FILTER (isIRI(?iri) && STRSTARTS(STR(?iri), "https://w3id.org/vic-semantic/"))
  BIND (LANG(?label) AS ?lang)
  FILTER (?lang IN ("ru", "en", ""))
}
"""


@dataclass(frozen=True)
class Labels:
    """Labels by IRI and language ("ru", "en", or "" for a plain string)."""

    by_iri: dict[str, dict[str, str]]

    def get(self, iri: str, lang: str) -> str:
        """Return the label of ``iri`` in ``lang``, else in Russian, else the IRI's last segment."""
        labels = self.by_iri.get(iri, {})
        for choice in (lang, "ru", ""):
            if choice in labels:
                return labels[choice]
        return iri.rstrip("/").rsplit("/", 1)[-1]


def load_labels(store: SelectStore) -> Labels:
    """Read every project label from the store; a few thousand rows on the demo."""
    by_iri: dict[str, dict[str, str]] = {}
    for row in store.select(_LABELS_QUERY):
        choices = by_iri.setdefault(row["iri"], {})
        # Several labels in one language (e.g. vic:name and a registry label) are equal on the
        # demo; keep the smallest so the choice does not depend on the store's row order.
        current = choices.get(row.get("lang", ""))
        label = row["label"]
        if current is None or label < current:
            choices[row.get("lang", "")] = label
    return Labels(by_iri)
