"""Map a generated 100,000-row product catalogue end to end and report rows per second.

Names are drawn from patterns members write (product word, treatment or kind, fat, net
content, packaging, abbreviations, brand in quotes); codes from the listed ТН ВЭД headings.
Parse (read_table on the CSV bytes) and classification (map_table) are timed together, by
the wall clock and by the process's CPU time. The ontology and pymorphy3 dictionaries are
loaded before the clock starts.
Run: .venv/bin/python bench/mapping_bench.py [--rows 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import logging
import random
import time

from vic_semantic.catalogues.readers import read_table
from vic_semantic.mapping.report import map_table
from vic_semantic.validation.engine import default_ontology

HEADS = [
    ("Молоко питьевое {t}", ["пастеризованное", "у/паст.", "стерил.", "пастер.", "топленое"]),
    ("Кефир {t}", ["", "обезж.", "классический"]),
    ("Сметана {t}", ["", "классическая"]),
    ("Творог {t}", ["", "обезж.", "мягкий"]),
    ("Масло {t}", ["сливочное", "слив.", "сладко-сливочное"]),
    ("Сыр {t}", ["п/тв", "полутвердый", "мягкий", "плавленый"]),
    ("Мороженое {t}", ["сливочное", "молочное", "пломбир"]),
    ("Колбаса {t}", ["вареная", "с/к", "сыровяленая", "вар.", "полукопченая"]),
    ("Сосиски {t}", ["", "молочные", "сливочные"]),
    ("Говядина {t}", ["в полутушах", "в четвертинах", "охл."]),
    ("Полуфабрикат {t}", ["из свинины", "из говядины", "мясной"]),
    ("Йогурт {t}", ["клубничный", "питьевой"]),
]
BRANDS = ["Гомельский", "Молочный край", "Савушкин", "Бабушкина крынка", "Докторская", "Утро"]
PACKS = ["пл/бут", "т/п", "п/э", "стакан", "брикет", "фольга", "в/у", ""]
NETS = ["900 мл", "0,9 л", "1 л", "1кг", "450 г", "180 г", "0,5 кг", "400 г"]
CODES = ["0401 20 910", "0401 20 110", "0403", "0405", "0406", "1601 00", "0201", ""]


def generate(rows: int, seed: int) -> bytes:
    """Return a CSV catalogue of ``rows`` generated products."""
    rng = random.Random(seed)
    lines = ["Код;Наименование;Штрихкод;Массовая доля жира;Масса нетто;Код ТН ВЭД"]
    for number in range(rows):
        pattern, kinds = rng.choice(HEADS)
        name = pattern.format(t=rng.choice(kinds)).strip()
        fat = f"{rng.choice([0.5, 1, 2.5, 3.2, 15, 20, 45, 72.5])}".replace(".", ",")
        name = f"{name} «{rng.choice(BRANDS)}» м.д.ж. {fat}% {rng.choice(NETS)} {rng.choice(PACKS)}"
        lines.append(
            f"G-{number};{name};481{number:010d};{fat};{rng.choice(NETS)};{rng.choice(CODES)}"
        )
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="Rows to generate.")
    parser.add_argument("--seed", type=int, default=7, help="Random seed of the generator.")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    data = generate(args.rows, args.seed)
    ontology = default_ontology()
    map_table(read_table("warm.csv", generate(50, args.seed + 1)), ontology)

    start, start_cpu = time.perf_counter(), time.process_time()
    table = read_table("bench.csv", data)
    parsed, parsed_cpu = time.perf_counter(), time.process_time()
    report = map_table(table, ontology)
    done, done_cpu = time.perf_counter(), time.process_time()

    total, total_cpu = done - start, done_cpu - start_cpu
    rows = len(report.rows)
    print(f"rows: {rows}  counts: {report.counts()}")
    print(f"parse: {parsed - start:.2f} s  classify: {done - parsed:.2f} s  total: {total:.2f} s")
    print(
        f"CPU time of this process: parse {parsed_cpu - start_cpu:.2f} s  "
        f"classify {done_cpu - parsed_cpu:.2f} s  total {total_cpu:.2f} s"
    )
    print(f"rows per second (parse + classification): {rows / total:,.0f}")
    # On a shared machine the wall clock includes time other processes held the CPU, but the
    # process's CPU time does not, so it estimates what one free core would do.
    print(f"rows per CPU second (parse + classification): {rows / total_cpu:,.0f}")


if __name__ == "__main__":
    main()
