"""Full-text search over the store: Russian word forms, English stems, typos, exact names first.

``SearchIndex.from_store(store)`` builds an index; ``live_index(store).current()`` returns one
that follows the store's changes, rebuilt in a background thread while searches read the
previous one. ``search_functions()`` gives the same matching to SPARQL
as ``vicfn:matches`` and ``vicfn:score``.
"""

from vic_semantic.search.documents import Document, Kind
from vic_semantic.search.functions import FN, MATCHES, SCORE, search_functions, text_matches
from vic_semantic.search.hooks import install_functions, store_version
from vic_semantic.search.index import Hit, SearchIndex
from vic_semantic.search.live import LiveIndex, live_index

__all__ = [
    "FN",
    "MATCHES",
    "SCORE",
    "Document",
    "Hit",
    "Kind",
    "LiveIndex",
    "SearchIndex",
    "install_functions",
    "live_index",
    "search_functions",
    "store_version",
    "text_matches",
]
