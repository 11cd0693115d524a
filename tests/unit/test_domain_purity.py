"""The core does no I/O: its modules import nothing that reads files, the network or the environment."""

from __future__ import annotations

import ast
from pathlib import Path

import traceplay

SRC = Path(traceplay.__file__).parent
PURE = [SRC / "domain", SRC / "formats"]
FORBIDDEN_MODULES = {
    "fastapi", "starlette", "httpx", "requests", "urllib", "socket", "sqlite3", "subprocess",
    "pathlib", "shutil", "io", "tempfile", "uvicorn", "typer", "rich", "importlib.resources",
    "traceplay.web", "traceplay.cli", "traceplay.loader", "traceplay.config", "traceplay.llm",
}  # fmt: skip
FORBIDDEN_CALLS = {"open", "input", "print", "exec", "eval"}


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            if any(name == m or name.startswith(m + ".") for m in FORBIDDEN_MODULES):
                found.append(f"{path.name}:{node.lineno} imports {name}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
            found.append(f"{path.name}:{node.lineno} calls {node.func.id}()")
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "system", "popen"):
            found.append(f"{path.name}:{node.lineno} uses .{node.attr}")
    return found


def test_core_modules_do_no_io() -> None:
    files = [p for root in PURE for p in root.rglob("*.py")]
    assert len(files) >= 5
    problems = [v for p in files for v in _violations(p)]
    assert problems == []


def test_the_check_catches_io(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom pathlib import Path\nx = os.environ['A']\nopen('f')\n")
    assert len(_violations(bad)) == 4  # the import (twice: module and name), environ, open()
