"""Sample documents for the tests, made for the project (see build.py): a
broken web copy of a briefing, the clean text and log normalising it must
give, and the figures written into it."""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
WEB_COPY = HERE / "briefing.web.txt"  # the broken copy, as a file to ingest
TITLE = "北岭县2024年关爱留守儿童工作简报（第3期）"


def web_copy() -> str:
    return WEB_COPY.read_text(encoding="utf-8")


def expected() -> dict:
    """``{"text", "log": [{"action", "pinyin", "char"}]}``."""
    return json.loads((HERE / "briefing.expected.json").read_text(encoding="utf-8"))


def expected_facts() -> list[dict]:
    """Figures written into the clean text, each with the fields to compare."""
    return json.loads((HERE / "briefing.facts.json").read_text(encoding="utf-8"))
