"""Which lock entries are development-only, when the lock file does not say.

yarn.lock, pnpm v9, poetry 1.5+ and uv lock files record the dependency graph but no dev
flag; an entry is dev-only when only the dev roots reach it. Edges are over-approximated
(every extra, every optional dependency), which errs towards "ships in the function".
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def reachable(graph: Mapping[K, Iterable[K]], roots: Iterable[K]) -> set[K]:
    seen: set[K] = set()
    todo = [root for root in roots]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(child for child in graph.get(node, ()) if child not in seen)
    return seen


def dev_only(graph: Mapping[K, Iterable[K]], prod: Iterable[K], dev: Iterable[K]) -> set[K]:
    """Nodes the dev roots reach and the production roots do not."""
    dev_side: set[K] = reachable(graph, dev)
    prod_side: set[K] = reachable(graph, prod)
    return dev_side - prod_side
