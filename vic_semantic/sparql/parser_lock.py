"""One lock around rdflib's SPARQL parser, which is not thread-safe.

rdflib 7.6 parses SPARQL with pyparsing grammars kept in module globals, and pyparsing is not
thread-safe: two parses at once in one process can fail a valid text with errors such as
"Param.postParse2() missing 1 required positional argument: 'tokenList'". The API parses
members' updates and the validation engine's queries in its thread pool, so every call into
rdflib's SPARQL parser in this package takes this lock. Parses are short (a member update is
at most ``max_member_update_bytes``), so waiting for the lock costs little.
"""

from __future__ import annotations

import threading

# NOTE: a query text that reaches validation's rdflib graph with initNs as a keyword is parsed
# by rdflib's Graph.query itself, outside this lock.
RDFLIB_SPARQL_PARSER = threading.Lock()
