"""Writing the protocol's update dataset into an update as USING clauses."""

from __future__ import annotations

import pytest

from vic_semantic.sparql.protocol import ProtocolError
from vic_semantic.sparql.update_dataset import add_update_dataset

G = "http://example.org/g"
N = "http://example.org/n"


def test_no_dataset_leaves_update_alone() -> None:
    update = "INSERT { ?s a 1 } WHERE { ?s ?p ?o }"

    assert add_update_dataset(update, [], []).text == update


def test_using_goes_before_where() -> None:
    rewritten = add_update_dataset("INSERT { ?s a 1 } WHERE { ?s ?p ?o }", [G], [N])

    assert rewritten.text == (
        f"INSERT {{ ?s a 1 }} USING <{G}> USING NAMED <{N}> WHERE {{ ?s ?p ?o }}"
    )


def test_each_operation_gets_using() -> None:
    update = "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } ;\nINSERT { ?s a 1 } where { ?s ?p ?o }"

    text = add_update_dataset(update, [G], []).text

    assert text.count(f"USING <{G}>") == 2
    assert f"USING <{G}> where" in text


def test_nested_where_strings_and_comments_untouched() -> None:
    update = (
        "INSERT { ?s <http://p> 'WHERE' } # WHERE\n"
        'WHERE { { SELECT ?s WHERE { ?s ?p ?o } } ?s <http://e/WHERE> """}""" }'
    )

    text = add_update_dataset(update, [G], []).text

    assert text.count("USING") == 1
    assert text.index("USING") < text.index("WHERE {")


def test_insert_data_gets_nothing() -> None:
    update = "INSERT DATA { <http://a> <http://b> 'where' }"

    assert add_update_dataset(update, [G], []).text == update


def test_delete_where_spelled_out() -> None:
    rewritten = add_update_dataset("DELETE WHERE { ?s ?p ?o }", [G], [])

    assert rewritten.text == f"DELETE {{ ?s ?p ?o }} USING <{G}> WHERE {{ ?s ?p ?o }}"


@pytest.mark.parametrize(
    "update",
    [
        "WITH <http://w> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "DELETE { ?s ?p ?o } USING <http://u> WHERE { ?s ?p ?o }",
        "delete { ?s ?p ?o } using named <http://u> where { ?s ?p ?o }",
    ],
)
def test_own_dataset_conflicts(update: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        add_update_dataset(update, [], [N])

    assert caught.value.code == "dataset_conflict"


def test_own_dataset_allowed_without_protocol_dataset() -> None:
    update = "WITH <http://w> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"

    assert add_update_dataset(update, [], []).text == update


def test_position_maps_back_past_insertion() -> None:
    update = "INSERT { ?s a 1 } WHERE { ?s ?p }"
    rewritten = add_update_dataset(update, [G], [])
    bad = rewritten.text.index("}", rewritten.text.index("WHERE"))

    assert rewritten.original_position(1, bad + 1) == (1, update.rindex("}") + 1)


def test_position_inside_insertion_maps_to_its_place() -> None:
    update = "INSERT { ?s a 1 }\nWHERE { ?s ?p ?o }"
    rewritten = add_update_dataset(update, [G], [])

    assert rewritten.original_position(2, 3) == (2, 1)
    assert rewritten.original_position(1, 5) == (1, 5)
