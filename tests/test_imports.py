"""What the web process loads, and which way the apps depend on each other."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

from tests.services import ROOT

APPS = ["enhancement", "listening", "analysis", "demo", "jobs", "organize", "access"]


def _imported(path) -> set[str]:
    """Every module a file imports by absolute name, at any depth (lazy imports count too), and
    every URL it reverses by a namespaced name ("listening:entry" counts as listening)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names |= set(re.findall(r"^(\w+):[\w-]+$", node.value))
    return names


def test_the_web_process_loads_no_torch_until_a_model_runs():
    # Every app's models and admin, the URL conf and every view it routes to, as a web worker
    # loads them on its first request.
    code = "\n".join(
        [
            "import importlib, importlib.util, sys, django",
            "django.setup()",
            "from django.urls import get_resolver, resolve, reverse",
            "import config.urls",
            f"for app in {APPS!r}:",
            "    for part in ('models', 'admin', 'views', 'api', 'urls'):",
            "        if importlib.util.find_spec(f'{app}.{part}'):",
            "            importlib.import_module(f'{app}.{part}')",
            "resolve(reverse('admin:index'))",
            "assert 'torch' not in sys.modules, 'torch was imported'",
            "assert 'onnxruntime' not in sys.modules, 'onnxruntime was imported'",
            "print('ok')",
        ]
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_enhancement_imports_neither_listening_nor_analysis():
    offending = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "enhancement").rglob("*.py"))
        for name in _imported(path)
        if name.split(".")[0] in {"listening", "analysis"}
    ]
    assert offending == []


def test_listening_takes_from_analysis_only_its_pure_statistics_and_the_platform_screening():
    # adaptive allocation judges systems with the report's model (analysis.stats, no Django);
    # the platform sync screens submissions as the report does; the admin links the report
    # page (a reversed "analysis:…" URL name counts as "analysis"); nothing else of analysis
    allowed = {"analysis.stats", "analysis.selectors"}
    offending = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "listening").rglob("*.py"))
        for name in _imported(path)
        if name.split(".")[0] == "analysis"
        and name != "analysis"
        and not any(name == ok or name.startswith(ok + ".") for ok in allowed)
    ]
    assert offending == []
