"""`python -m rapport.bench.load.prepare --plan PATH`: builds the load test's workspace in the
configured database and writes the plan Locust reads (accounts, ids to open)."""

import argparse
import json
import os
from dataclasses import asdict


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plan", required=True, help="Where to write the plan (JSON).")
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--conversations", type=int, default=20_000)
    parser.add_argument("--cases", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django

    django.setup()
    from rapport.bench.load.workspace import build

    plan = build(
        people=args.people, conversations=args.conversations, cases=args.cases, seed=args.seed
    )
    with open(args.plan, "w") as f:
        json.dump(asdict(plan), f)
    print(json.dumps(plan.counts), flush=True)


if __name__ == "__main__":
    main()
