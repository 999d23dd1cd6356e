"""Does a handler file define the export its handler names? A light textual check only: the
real parse comes later, so this must never fail a resolution, merely inform it."""

from __future__ import annotations

import re

_PY_PATTERNS: tuple[str, ...] = (
    r"^(?:async[ \t]+)?def[ \t]+{name}[ \t]*\(",
    r"^class[ \t]+{name}\b",
    r"^{name}[ \t]*(?::[^=\n]*)?=(?!=)",  # handler = Mangum(app)
    r"^(?:from[ \t]+[\w.]+[ \t]+)?import[ \t][^\n]*\b{name}\b",
)

_JS_PATTERNS: tuple[str, ...] = (
    r"\bmodule\.exports\.{name}\s*=",
    r"\bexports\.{name}\s*=",
    r"\b(?:module\.)?exports\[\s*['\"]{name}['\"]\s*\]\s*=",
    r"\bdefineProperty\(\s*(?:module\.)?exports\s*,\s*['\"]{name}['\"]",  # tsc CommonJS output
    r"\bmodule\.exports\s*=\s*\{{[^}}]*(?<![\w$.]){name}\s*[,:}}(]",
    r"\bexport\s+(?:declare\s+)?(?:async\s+)?function\s*\*?\s*{name}\b",
    r"\bexport\s+(?:declare\s+)?(?:const|let|var|class)\s+{name}\b",
    r"\bexport\s*\{{[^}}]*\b{name}\s*(?:,|\}})",  # export { a, b as name }
    r"[{{,]\s*{name}\s*:\s*\(\)\s*=>",  # esbuild's __export(module, { name: () => name })
)

_JS_DEFAULT = r"\bexport\s+default\b|\bexport\s*\{[^}]*\bas\s+default\b|\bexports\.default\s*="


def has_export(text: str, language: str, export: str) -> bool:
    """True when text visibly defines `export` (for Node, its first dotted segment)."""
    if language == "python":
        name = export
        patterns = _PY_PATTERNS
    else:
        name = export.split(".", 1)[0]
        if name == "default":
            return re.search(_JS_DEFAULT, text) is not None
        patterns = _JS_PATTERNS
    if not re.fullmatch(r"[A-Za-z_$][\w$]*", name):
        return False
    escaped = re.escape(name)
    return any(re.search(p.format(name=escaped), text, re.MULTILINE) for p in patterns)
