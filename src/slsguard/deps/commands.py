"""`slsguard db update|import|status`: build and inspect the local OSV database."""

from __future__ import annotations

import argparse
import sys

from slsguard.deps.cache import default_path
from slsguard.deps.store import AdvisoryDB, DatabaseError, Metadata


def run_db_command(args: argparse.Namespace) -> int:
    try:
        if args.db_command == "update":
            from slsguard.deps.online import OnlineError, update_database

            ecosystems = tuple(args.ecosystem) or ("PyPI", "npm")
            print(f"downloading OSV exports for {', '.join(ecosystems)} ...", file=sys.stderr)
            try:
                meta = update_database(args.path, ecosystems)
            except OnlineError as exc:
                print(f"slsguard: error: {exc}", file=sys.stderr)
                return 2
        elif args.db_command == "import":
            with AdvisoryDB.build(args.path, list(args.source)) as db:
                meta = db.metadata()
        else:
            with AdvisoryDB.open(args.path, readonly=True) as db:
                meta = db.metadata()
    except (DatabaseError, OSError, ValueError) as exc:
        print(f"slsguard: error: {exc}", file=sys.stderr)
        return 2
    _print(meta, args.path)
    return 0


def _print(meta: Metadata, path: object) -> None:
    counts = ", ".join(f"{eco} {n}" for eco, n in sorted(meta.per_ecosystem.items()))
    print(
        f"{meta.path or path or default_path()}: {meta.advisories} advisories ({counts}); "
        f"imported {meta.imported_at or 'never'}"
    )
