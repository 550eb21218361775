"""Issue 11 item 8: the background-job example in docs/jobs.md and in apps/jobs/__init__.py
used arguments that do not exist (`path=`, `exam_id=`, `.as_dict()`). Every call in those
examples must bind to the real function's signature, and every method called on the
import's report must exist."""

import ast
import inspect
import re
import textwrap
from pathlib import Path

import pytest

import apps.jobs
from apps.candidates.services.importing import candidates_import
from apps.candidates.services.reports import ImportReport
from apps.exams.exports import schedule_export_size
from apps.jobs.http import query_filters, start_or_run
from apps.jobs.registry import register_job_kind
from apps.jobs.services import job_output_path

ROOT = Path(__file__).resolve().parents[2]
REAL = {
    f.__name__: f
    for f in (candidates_import, start_or_run, register_job_kind, job_output_path, query_filters, schedule_export_size)
}


def doc_snippets() -> list[tuple[str, str]]:
    markdown = (ROOT / "docs" / "jobs.md").read_text()
    out = [("docs/jobs.md", block) for block in re.findall(r"```python\n(.*?)```", markdown, re.S)]
    docstring = apps.jobs.__doc__
    for block in re.findall(r"::\n\n((?:(?: {7}.*)?\n)+)", docstring):
        out.append(("apps/jobs/__init__.py", textwrap.dedent(block)))
    return out


SNIPPETS = doc_snippets()


def test_both_places_have_their_examples():
    assert {where for where, _ in SNIPPETS} == {"docs/jobs.md", "apps/jobs/__init__.py"}
    assert len(SNIPPETS) >= 4


@pytest.mark.parametrize(("where", "code"), SNIPPETS, ids=[f"{w}#{i}" for i, (w, _) in enumerate(SNIPPETS)])
def test_documented_calls_match_the_real_signatures(where, code):
    tree = ast.parse(code)
    checked = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in REAL:
            signature = inspect.signature(REAL[node.func.id])
            args = [None] * len(node.args)
            kwargs = {k.arg: None for k in node.keywords if k.arg}
            signature.bind(*args, **kwargs)  # TypeError: an argument that does not exist
            checked += 1
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "report"
        ):
            assert hasattr(ImportReport, node.func.attr), f"{where}: ImportReport has no {node.func.attr}()"
    assert checked, f"{where}: no documented call found in\n{code}"
