"""Charts of a briefing as PNG images, drawn with matplotlib from the facts.

Chinese labels need a CJK font: the project installs Noto CJK (Debian's
fonts-noto-cjk); an office's own fonts are used first when present.
"""

from __future__ import annotations

import functools
import glob
import io
import logging
import shutil
import subprocess
import threading

from guanai.textproc.numbers import trim_decimal

logger = logging.getLogger(__name__)

_PREFERRED_FAMILIES = ["Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei", "WenQuanYi Zen Hei"]
_FONT_GLOBS = ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/**/NotoSansCJK*.tt[cf]",
               "/usr/share/fonts/**/NotoSerifCJK*.tt[cf]", "/usr/share/fonts/**/*[Ww]en[Qq]uan*.tt[cf]"]
_lock = threading.Lock()


def cjk_font_file() -> str | None:
    """A font file with Chinese glyphs: fontconfig's answer for Noto Sans CJK SC, else a known path."""
    if shutil.which("fc-match"):
        try:
            found = subprocess.run(["fc-match", "-f", "%{file}", "Noto Sans CJK SC:lang=zh-cn"], capture_output=True,
                                   text=True, timeout=10).stdout.strip()
            if found and ("CJK" in found or "Han" in found):
                return found
        except (OSError, subprocess.SubprocessError):
            pass
    for pattern in _FONT_GLOBS:
        matches = sorted(glob.glob(pattern, recursive=True))
        if matches:
            return matches[0]
    return None


@functools.lru_cache(maxsize=1)
def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    path = cjk_font_file()
    if path:
        font_manager.fontManager.addfont(path)
    else:
        logger.warning("no CJK font found: chart labels will not show Chinese (install fonts-noto-cjk)")
    available = {f.name for f in font_manager.fontManager.ttflist}
    families = [name for name in _PREFERRED_FAMILIES if name in available] or ["DejaVu Sans"]
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["font.sans-serif"] = families + ["DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


@functools.lru_cache(maxsize=64)
def _draw(kind: str, title: str, labels: tuple, values: tuple, unit: str) -> bytes:
    with _lock:  # pyplot keeps global state
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(6.4, 2.7), dpi=150)
        try:
            positions = range(len(labels))
            if kind == "line":
                ax.plot(list(positions), values, color="#c00000", marker="o", linewidth=2)
                ax.set_ylim(bottom=0)
            else:
                ax.bar(list(positions), values, color="#c00000", width=0.6)
            ax.set_xticks(list(positions), labels)
            for x, y in zip(positions, values):
                ax.annotate(trim_decimal(y), (x, y), textcoords="offset points", xytext=(0, 3), ha="center", fontsize=9)
            ax.set_title(title, fontsize=12)
            if unit:
                ax.set_ylabel(unit)
            ax.spines[["top", "right"]].set_visible(False)
            ax.margins(y=0.15)
            if len(labels) > 5:
                plt.setp(ax.get_xticklabels(), rotation=20, ha="right")
            fig.tight_layout()
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png")
            return buffer.getvalue()
        finally:
            plt.close(fig)


def chart_png(block: dict, facts: dict) -> bytes:
    """The PNG of a chart block, its values read from the facts it names."""
    tokens = [t for t in block.get("facts", []) if t in facts]
    labels = tuple(block.get("labels", [])[: len(tokens)])
    values = tuple(float(facts[t].value or 0) for t in tokens)
    unit = facts[tokens[0]].unit if tokens else ""
    return _draw(block.get("chart", "bar"), block.get("title", ""), labels, values, unit)


def chart_data_uri(block: dict, facts: dict) -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(chart_png(block, facts)).decode()
