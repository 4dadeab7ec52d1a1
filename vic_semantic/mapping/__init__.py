"""Mapping members' product lists onto the ontology's product classes.

Submodules: ``names`` (words, lemmas, abbreviations and head nouns of a product name),
``codes`` (ТН ВЭД and ОКПД2 crosswalks), ``attributes`` (fat, net content and heat treatment
read from a name), ``decide`` (one row's decision with confidence and evidence), ``report``
(per-file report and SSSOM export), ``profiles`` and ``corrections`` (what a member saves),
``evaluate`` (precision and recall against a hand-labelled gold set).

This package imports nothing at import time, so that ``catalogues.classify`` can use
``mapping.names`` without an import cycle.
"""
