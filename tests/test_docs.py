"""docs/rules is generated from rule metadata and fixtures; a stale page fails here."""

from pathlib import Path

from slsguard.cli import main
from slsguard.docs import generate

ROOT = Path(__file__).resolve().parents[1]


def test_generated_rule_docs_are_current() -> None:
    pages = generate(ROOT / "docs" / "rules", ROOT / "tests" / "fixtures" / "rules")
    stale = [
        str(path.relative_to(ROOT))
        for path, content in pages.items()
        if not path.is_file() or path.read_text("utf-8") != content
    ]
    assert not stale, f"regenerate with `python -m slsguard.docs`: {stale}"


def test_explain_prints_the_rule_page(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["explain", "sls0401"]) == 0
    out = capsys.readouterr().out
    assert out.startswith('# SLS0401: IAM statement allows every action (Action: "*")\n')
    assert "## How to fix" in out


def test_explain_unknown_rule_is_a_usage_error(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["explain", "SLS9999"]) == 2
    assert "unknown rule 'SLS9999'" in capsys.readouterr().err
