"""Facts and findings from handler source code: a language-agnostic IR, one front end per
language (Python `ast` now, JavaScript/TypeScript tree-sitter next), and the taint engine
with the code rules. Scanned code is parsed only: never imported, executed or evaluated."""
