"""The body of a briefing as structured blocks, and its HTML and text forms.

Blocks (stored in ``Briefing.body``):

    {"type": "h", "level": 1-4, "text": "一、基本情况"}
    {"type": "p", "runs": [{"t": "全市共有"}, {"f": "f1"}, {"t": "。"}], "align": "right"?,
     "source": {"kind": "unit_report", "id": 12, "label": "..."}?}
    {"type": "chart", "chart": "bar"|"line", "title": "...", "labels": [...], "facts": ["f2", ...]}

A run is text (``t``) or a fact token (``f``); a token's words come from its
fact, so the figure stays live until publication. A paragraph quoted from a record
(an excerpt of a unit's report) names that record as its ``source``, kept through edits. The editor posts the HTML of
its editable area; ``parse_html`` reads it back into blocks, keeping the tokens
it knows and turning anything else into plain text.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

from .facts import tooltip

HEADING_TAGS = {1: "h2", 2: "h3", 3: "h4", 4: "h5"}
_TAG_LEVELS = {"h1": 1, "h2": 1, "h3": 2, "h4": 3, "h5": 4, "h6": 4}
_BLOCK_TAGS = {"p", "div", "li", "blockquote", "section", "article", "ul", "ol", "table", "tr", "td", "th"}
_VOID_TAGS = {"img", "br", "hr", "input", "meta", "link", "source", "wbr", "area", "col", "embed", "track"}
MAX_BODY_CHARS = 300_000


def heading(level: int, text: str) -> dict:
    return {"type": "h", "level": level, "text": text}


def paragraph(*parts, align: str = "", source: dict | None = None) -> dict:
    """A paragraph of text and tokens (anything with ``as_run``), quoting ``source`` when given."""
    runs = []
    for part in parts:
        if part is None or part == "":
            continue
        run = part.as_run() if hasattr(part, "as_run") else {"t": str(part)}
        if "t" in run and runs and "t" in runs[-1]:
            runs[-1] = {"t": runs[-1]["t"] + run["t"]}
        else:
            runs.append(run)
    block = {"type": "p", "runs": runs}
    if align:
        block["align"] = align
    if source:
        block["source"] = source
    return block


def source_key(source: dict) -> str:
    return f"{source.get('kind', '')}:{source.get('id', '')}"


def sources(blocks: list[dict]) -> list[dict]:
    """The records the body quotes, in order, each once."""
    found = {}
    for block in blocks:
        if block.get("type") == "p" and block.get("source"):
            found.setdefault(source_key(block["source"]), block["source"])
    return list(found.values())


def chart(kind: str, title: str, labels: list[str], tokens: list) -> dict:
    return {"type": "chart", "chart": kind, "title": title, "labels": list(labels),
            "facts": [t.token if hasattr(t, "token") else t for t in tokens]}


def tokens_used(blocks: list[dict]) -> set[str]:
    used = set()
    for block in blocks:
        if block.get("type") == "p":
            used.update(run["f"] for run in block.get("runs", []) if "f" in run)
        elif block.get("type") == "chart":
            used.update(block.get("facts", []))
    return used


# --- text ---------------------------------------------------------------------

def block_text(block: dict, facts: dict) -> str:
    if block.get("type") == "h":
        return block.get("text", "")
    if block.get("type") == "p":
        return "".join(run["t"] if "t" in run else (facts[run["f"]].text if run["f"] in facts else "")
                       for run in block.get("runs", []))
    return ""


def plain_text(blocks: list[dict], facts: dict) -> str:
    """The body as plain text, one block a line (charts left out)."""
    return "\n".join(text for block in blocks if (text := block_text(block, facts)))


# --- HTML ---------------------------------------------------------------------

def fact_span(fact, area_names: dict, editable: bool = False) -> str:
    locked = ' contenteditable="false"' if editable else ""
    return (f'<span class="fact" data-fact="{escape(fact.token)}"{locked} '
            f'title="{escape(tooltip(fact, area_names))}">{escape(fact.text)}</span>')


def render_html(blocks: list[dict], facts: dict, area_names: dict | None = None, *, editable: bool = False,
                chart_src=None) -> str:
    """The body as HTML; ``chart_src(index, block)`` gives an image URL for a chart."""
    area_names = area_names or {}
    out = []
    for index, block in enumerate(blocks):
        kind = block.get("type")
        if kind == "h":
            level = min(4, max(1, int(block.get("level", 1))))
            tag = HEADING_TAGS[level]
            out.append(f'<{tag} class="bh bh{level}">{escape(block.get("text", ""))}</{tag}>')
        elif kind == "p":
            parts = []
            for run in block.get("runs", []):
                if "t" in run:
                    parts.append(escape(run["t"]))
                elif run["f"] in facts:
                    parts.append(fact_span(facts[run["f"]], area_names, editable))
            align = ' class="right"' if block.get("align") == "right" else ""
            quoted = block.get("source")
            if quoted:
                align += (f' data-source="{escape(source_key(quoted))}" '
                          f'title="{escape("摘自：" + str(quoted.get("label", "")))}"')
            out.append(f"<p{align}>{''.join(parts)}</p>")
        elif kind == "chart":
            src = chart_src(index, block) if chart_src else ""
            locked = ' contenteditable="false"' if editable else ""
            out.append(f'<figure class="chart" data-block="{index}"{locked}>'
                       f'<img src="{escape(src)}" alt="{escape(block.get("title", ""))}">'
                       f'<figcaption>{escape(block.get("title", ""))}</figcaption></figure>')
    return "\n".join(out)


class _BodyParser(HTMLParser):
    def __init__(self, known_tokens: set[str], original: list[dict]):
        super().__init__(convert_charrefs=True)
        self.known = known_tokens
        self.original = original
        self.blocks: list[dict] = []
        self.current: dict | None = None
        self.fact_depth = 0  # inside a token span: its words are the fact's, not the user's
        self.skip_depth = 0  # inside a chart figure, a script or a style
        self.seen_charts: set[int] = set()
        # Sources a paragraph may name: those of the original body (an edit cannot forge one).
        self.known_sources = {source_key(b["source"]): b["source"] for b in original
                              if b.get("type") == "p" and b.get("source")}

    # blocks
    def _close(self):
        block, self.current = self.current, None
        if block is None:
            return
        if block["type"] == "h":
            block["text"] = _clean(block["text"])
            if block["text"]:
                self.blocks.append(block)
        else:
            runs = _merge_runs(block["runs"])
            if runs:
                block["runs"] = runs
                self.blocks.append(block)

    def _open(self, block: dict):
        self._close()
        self.current = block

    def _paragraph(self) -> dict:
        if self.current is None:
            self.current = {"type": "p", "runs": []}
        return self.current

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.skip_depth or self.fact_depth:
            if tag not in _VOID_TAGS:  # a void element has no end tag to count down
                if self.skip_depth:
                    self.skip_depth += 1
                else:
                    self.fact_depth += 1
            return
        if tag in ("script", "style"):
            self.skip_depth = 1
            return
        if tag == "figure":
            self._close()
            index = attrs.get("data-block", "")
            if index.isdigit() and int(index) < len(self.original) and int(index) not in self.seen_charts \
                    and self.original[int(index)].get("type") == "chart":
                self.seen_charts.add(int(index))
                self.blocks.append(self.original[int(index)])
            self.skip_depth = 1
            return
        if tag in _TAG_LEVELS:
            self._open({"type": "h", "level": _TAG_LEVELS[tag], "text": ""})
        elif tag in _BLOCK_TAGS:
            align = "right" if "right" in (attrs.get("class") or "").split() else ""
            quoted = self.known_sources.get(attrs.get("data-source") or "")
            self._open({"type": "p", "runs": [], **({"align": align} if align else {}),
                        **({"source": quoted} if quoted else {})})
        elif tag == "br":
            if self.current is not None and self.current["type"] == "p":
                align = self.current.get("align")
                self._close()
                self.current = {"type": "p", "runs": [], **({"align": align} if align else {})}
        elif tag == "span" and attrs.get("data-fact") in self.known:
            block = self._paragraph()
            if block["type"] == "h":  # a token cannot live in a heading: keep its words
                return
            block["runs"].append({"f": attrs["data-fact"]})
            self.fact_depth = 1

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if self.skip_depth:
            self.skip_depth -= 1
            return
        if self.fact_depth:
            self.fact_depth -= 1
            return
        if tag in _TAG_LEVELS or tag in _BLOCK_TAGS:
            self._close()

    def handle_data(self, data):
        if self.skip_depth or self.fact_depth:
            return
        if self.current is None and not data.strip():
            return
        block = self._paragraph()
        if block["type"] == "h":
            block["text"] += data
        else:
            block["runs"].append({"t": data})

    def close(self):
        super().close()
        self._close()


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def _merge_runs(runs: list[dict]) -> list[dict]:
    merged: list[dict] = []
    for run in runs:
        if "t" in run:
            text = re.sub(r"\s+", " ", run["t"].replace("\u00a0", " "))
            if merged and "t" in merged[-1]:
                merged[-1] = {"t": merged[-1]["t"] + text}
            elif text:
                merged.append({"t": text})
        else:
            merged.append(run)
    if merged and "t" in merged[0]:
        merged[0] = {"t": merged[0]["t"].lstrip()}
    if merged and "t" in merged[-1]:
        merged[-1] = {"t": merged[-1]["t"].rstrip()}
    return [run for run in merged if run.get("t", True)]


def parse_html(html: str, known_tokens: set[str], original: list[dict] | None = None) -> list[dict]:
    """Blocks from the editor's HTML: headings, paragraphs with the tokens it knows,
    and the charts of ``original`` it still holds (a chart cannot be edited, only
    kept, moved or removed)."""
    parser = _BodyParser(set(known_tokens), original or [])
    parser.feed(html[:MAX_BODY_CHARS])
    parser.close()
    return parser.blocks
