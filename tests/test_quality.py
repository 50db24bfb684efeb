"""The code stays formatted, lint-clean and type-checked (strict on the domain)."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_lint_and_format() -> None:
    lint = run(sys.executable, "-m", "ruff", "check", ".")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = run(sys.executable, "-m", "ruff", "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_mypy() -> None:
    result = run(sys.executable, "-m", "mypy", "studydeck")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_package_is_installed_by_a_plain_pip_install() -> None:
    """pyproject lists the packages by hand (cards/ is installed as studydeck.data): a new
    subpackage missing from that list works in a checkout and breaks `pip install .`."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "studydeck").rglob("__init__.py")
    }
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
