"""diff_veterinary on logs converted by the real converter: matching by identity, not by row."""

from __future__ import annotations

from rdflib import Graph

from vic_semantic.catalogues.convert import convert_tables
from vic_semantic.catalogues.readers import read_table
from vic_semantic.submissions.veterinary_diff import diff_veterinary
from vic_semantic.validation.engine import default_ontology

FARM = "ferma-1"
TREATMENT_HEADER = (
    "Группа животных,Дата обработки,Препарат,Код ATCvet,"
    '"Срок ожидания (молоко), сут","Срок ожидания (мясо), сут"\n'
)
DELIVERY_HEADER = 'Дата поставки,Группа животных,"Объем, л",Получатель\n'


def _logs(treatments: str = "", deliveries: str = "") -> Graph:
    tables = []
    if treatments:
        tables.append(read_table("treatments.csv", (TREATMENT_HEADER + treatments).encode()))
    if deliveries:
        tables.append(read_table("deliveries.csv", (DELIVERY_HEADER + deliveries).encode()))
    return convert_tables(tables, default_ontology(), FARM).graph


def test_identical_logs_no_changes() -> None:
    rows = "Г-01,2026-11-02,Цефкином интрацистернальный,QJ51DE90,5,4\n"

    result = diff_veterinary(_logs(rows), _logs(rows)).to_json()

    empty: dict[str, list[object]] = {"added": [], "removed": [], "changed": []}
    assert result == {"treatments": empty, "deliveries": empty}


def test_reordered_rows_no_changes() -> None:
    first = "Г-01,2026-11-02,Цефкином интрацистернальный,QJ51DE90,5,4\n"
    second = "Г-02,2026-11-10,Окситетрациклин инъекционный,QJ01AA06,7,28\n"

    result = diff_veterinary(_logs(first + second), _logs(second + first))

    assert result.treatments.added == []
    assert result.treatments.removed == []
    assert result.treatments.changed == []


def test_duplicate_identity_paired_by_equal() -> None:
    # Two treatments of one group with one preparation on one day; only the second changes.
    older = (
        "Г-01,2026-11-02,Цефкином интрацистернальный,QJ51DE90,5,4\n"
        "Г-01,2026-11-02,Цефкином интрацистернальный,QJ51DE90,6,4\n"
    )
    newer = (
        "Г-01,2026-11-02,Цефкином интрацистернальный,QJ51DE90,5,4\n"
        "Г-01,2026-11-02,Цефкином интрацистернальный,QJ51DE90,6,9\n"
    )

    result = diff_veterinary(_logs(older), _logs(newer))

    assert result.treatments.added == []
    assert result.treatments.removed == []
    assert len(result.treatments.changed) == 1
    change = result.treatments.changed[0]
    assert change.changes() == {"vic:meatWithdrawalDays": {"from": ["4"], "to": ["9"]}}
    assert (change.older.row, change.newer.row) == (2, 2)


def test_duplicate_identity_extra_row_added() -> None:
    row = "Г-01,2026-11-02,Цефкином интрацистернальный,QJ51DE90,5,4\n"

    result = diff_veterinary(_logs(row), _logs(row + row))

    assert [record.row for record in result.treatments.added] == [2]
    assert result.treatments.removed == []
    assert result.treatments.changed == []


def test_preparation_spelling_change_matched() -> None:
    # Both spellings map to one preparation IRI, so the treatment is the same one, changed.
    older = "Г-01,2026-11-02,Цефкином интрацистернальный,QJ51DE90,5,4\n"
    newer = "Г-01,2026-11-02,цефкином интрацистернальный,QJ51DE90,5,4\n"

    result = diff_veterinary(_logs(older), _logs(newer))

    assert result.treatments.added == []
    assert len(result.treatments.changed) == 1
    assert result.treatments.changed[0].changes() == {
        "vic:preparation": {
            "from": ["Цефкином интрацистернальный"],
            "to": ["цефкином интрацистернальный"],
        }
    }


def test_other_preparation_is_new_treatment() -> None:
    older = "Г-01,2026-11-02,Цефкином интрацистернальный,QJ51DE90,5,4\n"
    newer = "Г-01,2026-11-02,Окситетрациклин инъекционный,QJ01AA06,7,28\n"

    result = diff_veterinary(_logs(older), _logs(newer))

    assert [r.name for r in result.treatments.added] == [
        "Г-01 · Окситетрациклин инъекционный · 2026-11-02"
    ]
    assert [r.name for r in result.treatments.removed] == [
        "Г-01 · Цефкином интрацистернальный · 2026-11-02"
    ]
    assert result.treatments.changed == []


def test_recipient_named_from_mapping() -> None:
    older = _logs(deliveries="2026-11-01,Г-01,1200,Молочный завод №1\n")
    newer = _logs(deliveries="2026-11-01,Г-02,1200,Молочный завод №1\n")
    plant = "https://w3id.org/vic-semantic/id/member/molochnyj-zavod-1"

    named = diff_veterinary(older, newer, {plant: "Молочный завод №1"})
    unnamed = diff_veterinary(older, newer)

    assert [r.name for r in named.deliveries.changed] == ["2026-11-01 · Молочный завод №1"]
    assert named.deliveries.changed[0].changes() == {
        "vic:animalGroup": {"from": ["Г-01"], "to": ["Г-02"]}
    }
    assert unnamed.deliveries.changed[0].newer.identity["vic:recipient"] == (
        "vicd:member/molochnyj-zavod-1"
    )


def test_missing_identity_value_shown_as_dash() -> None:
    older = _logs(deliveries="2026-11-01,Г-01,1200,\n")
    newer = _logs(deliveries="2026-11-01,Г-01,1300,\n")

    result = diff_veterinary(older, newer)

    assert [r.name for r in result.deliveries.changed] == ["2026-11-01 · —"]
