"""The Python code blocks of docs/*.md run, in order, in one namespace per page."""

import pathlib
import re

import pytest

DOCS = pathlib.Path(__file__).resolve().parents[2] / "docs"
PAGES = sorted(DOCS.glob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_doc_page_code_runs(page):
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(), re.S)
    namespace = {}
    for block in blocks:
        exec(compile(block, str(page), "exec"), namespace)
