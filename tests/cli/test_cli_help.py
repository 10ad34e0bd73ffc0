"""``kinerja --help`` explains the settings, the pseudonym key and the exit status, and no text a user
sees (help, error messages) cites a document users do not have."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kinerja import cli
from kinerja.config import DEFAULT_LANDING, DEFAULT_WAREHOUSE, LANDING_ENV, WAREHOUSE_ENV
from kinerja.privacy import KEY_ENV, MIN_KEY_LENGTH

ROOT = Path(__file__).resolve().parents[2]
INTERNAL_DOCUMENT = re.compile(r"\bSPEC\b")


@pytest.fixture(scope="module")
def help_text() -> str:
    return cli.build_parser().format_help()


def test_help_exits_0_and_prints_the_epilog(capsys):
    assert cli.main(["--help"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "exit status:" in out and KEY_ENV in out


def test_help_explains_the_settings(help_text):
    flat = " ".join(help_text.split())
    assert "an option beats its environment variable, which beats the default" in flat
    for option, env, default in (("--landing DIR", LANDING_ENV, DEFAULT_LANDING),
                                 ("--warehouse URL", WAREHOUSE_ENV, DEFAULT_WAREHOUSE)):
        line = next(x for x in help_text.splitlines() if x.strip().startswith(option))
        assert env in line
        assert f"default {default}" in flat


def test_help_explains_the_pseudonym_key(help_text):
    flat = " ".join(help_text.split())
    assert KEY_ENV in flat
    assert f"at least {MIN_KEY_LENGTH} characters" in flat  # the rule kinerja.privacy enforces
    assert "same every month" in flat and "NIP" in flat


def test_help_lists_the_exit_status(help_text):
    lines = help_text[help_text.index("exit status:"):].splitlines()
    codes = [m.group(1) for m in (re.match(r"  ([0-9])  \S", x) for x in lines) if m]
    assert codes == ["0", "1", "2"]
    assert (cli.EXIT_OK, cli.EXIT_FAILED, cli.EXIT_USAGE) == (0, 1, 2)


def test_no_help_text_cites_an_internal_document():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.choices and "run" in a.choices)
    for text in [parser.format_help(), *(p.format_help() for p in sub.choices.values())]:
        assert not INTERNAL_DOCUMENT.search(text), text


def _user_facing_strings(path: Path):
    """Every string literal of a module except docstrings (which stay for developers); the docstring
    of a flow function is kept, since Prefect shows it as the deployment's description."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                is_flow = any("flow" in ast.unparse(d) for d in getattr(node, "decorator_list", []))
                if not is_flow:
                    docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_no_message_cites_an_internal_document():
    found = [f"{path.relative_to(ROOT)}:{line}: {text[:60]!r}"
             for folder in ("kinerja", "flows", "tasks")
             for path in sorted((ROOT / folder).rglob("*.py"))
             for line, text in _user_facing_strings(path) if INTERNAL_DOCUMENT.search(text)]
    assert found == []
