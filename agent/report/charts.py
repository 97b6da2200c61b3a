"""Inline SVG charts for the HTML report: pure functions, deterministic output, all text escaped.

The SVGs carry no ``xmlns`` (the HTML parser places inline ``<svg>`` in the SVG namespace) and no
ids, so several charts can sit in one page and the report holds no URL at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

PALETTE = ("#2f5d8a", "#e07b39", "#3f9a78", "#c2444f", "#8a6bb8", "#c9a227", "#4fa3b8", "#7d7d7d")
INK = "#1f2933"
MUTED = "#64748b"
GRID = "#e2e8f0"
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"'


def _f(x: float) -> str:
    """A coordinate with at most one decimal and no trailing ``.0``."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _text(x: float, y: float, s: str, *, anchor: str = "start", size: int = 12, fill: str = INK,
          weight: str = "normal") -> str:
    bold = f' font-weight="{weight}"' if weight != "normal" else ""
    return (f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{bold}>'
            f"{escape(s)}</text>")


def _svg(width: float, height: float, label: str, body: list[str]) -> str:
    w, h = _f(width), _f(height)
    return (f'<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
            f'role="img" aria-label="{escape(label)}" {FONT}>'
            f"<title>{escape(label)}</title>" + "".join(body) + "</svg>")


def _legend(items: Sequence[tuple[str, str]], x: float, y: float) -> list[str]:
    out = []
    for name, color in items:
        out.append(f'<rect x="{_f(x)}" y="{_f(y - 10)}" width="12" height="12" rx="2" fill="{color}"/>')
        out.append(_text(x + 17, y, name, size=12, fill=INK))
        x += 30 + 7.0 * len(name)
    return out


def _nice_max(value: float, step: float) -> float:
    """The smallest multiple of ``step`` at or above ``value`` (at least one step)."""
    n = max(1, int(-(-value // step)))
    return n * step


def _ticks(value: float, steps: Sequence[float], most: int = 6) -> tuple[float, int]:
    """An axis maximum at or above ``value`` and its number of intervals, using the first step that
    needs at most ``most`` intervals."""
    for step in steps:
        top = _nice_max(value, step)
        if top / step <= most:
            return top, round(top / step)
    top = _nice_max(value, steps[-1])
    return top, most


def _label_width(labels: Sequence[str], clip: int, px: float = 6.9) -> float:
    """Room for the longest (clipped) label at 12px, within 110-320 px."""
    longest = max((len(_clip(s, clip)) for s in labels), default=8)
    return min(320.0, max(110.0, longest * px + 24))


def _wrap2(text: str, width: int) -> list[str]:
    """Up to two lines of at most ``width`` characters, breaking at spaces; the rest is clipped."""
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return [_clip(x, width) for x in lines]


def share_bars(rows: Sequence[tuple[str, float | None, float | None]], *,
               series: tuple[str, str] = ("Share of customers", "Share of value"),
               title: str = "Segment size and value share") -> str:
    """Grouped horizontal bars: per segment, its share of customers and its share of value (0-1)."""
    label_w = _label_width([r[0] for r in rows], 30)
    plot_w, bar_h, gap, group_gap, top = 640.0 - label_w, 14.0, 3.0, 18.0, 44.0
    width = label_w + plot_w + 70
    height = top + len(rows) * (2 * bar_h + gap + group_gap) + 14
    values = [v for _, a, b in rows for v in (a, b) if v is not None]
    top_pct, n = _ticks(max(max(values, default=0.0), 0.01) * 100, (5, 10, 20, 25, 50))
    vmax = top_pct / 100
    body = _legend([(series[0], PALETTE[0]), (series[1], PALETTE[1])], label_w, 18)
    bottom = height - 14
    for i in range(n + 1):
        x = label_w + plot_w * i / n
        body.append(f'<line x1="{_f(x)}" y1="{_f(top - 8)}" x2="{_f(x)}" y2="{_f(bottom)}" stroke="{GRID}"/>')
        body.append(_text(x, top - 12, f"{top_pct * i / n:.0f}%", anchor="middle", size=10, fill=MUTED))
    y = top
    for name, a, b in rows:
        body.append(f"<g><title>{escape(name)}</title>"
                    + _text(label_w - 10, y + bar_h + 2, _clip(name, 30), anchor="end", size=12) + "</g>")
        for j, v in enumerate((a, b)):
            yy = y + j * (bar_h + gap)
            if v is None:
                body.append(_text(label_w + 4, yy + bar_h - 3, "n/a", size=10, fill=MUTED))
                continue
            w = plot_w * v / vmax if vmax else 0.0
            body.append(f'<rect x="{_f(label_w)}" y="{_f(yy)}" width="{_f(w)}" height="{_f(bar_h)}" rx="2" '
                        f'fill="{PALETTE[j]}"><title>{escape(name)}: {escape(series[j])} {v * 100:.1f}%'
                        "</title></rect>")
            body.append(_text(label_w + w + 5, yy + bar_h - 3, f"{v * 100:.1f}%", size=11, fill=INK))
        y += 2 * bar_h + gap + group_gap
    return _svg(width, height, title, body)


def contribution_bars(rows: Sequence[tuple[str, Sequence[tuple[str, float]]]], factors: Sequence[str], *,
                      axis_max: float | None = None, title: str = "Score contributions per segment") -> str:
    """Stacked horizontal bars: each segment's total split into the points each factor adds."""
    label_w = _label_width([r[0] for r in rows], 30)
    plot_w, bar_h, row_gap, top = 640.0 - label_w, 22.0, 14.0, 60.0
    width = label_w + plot_w + 70
    height = top + len(rows) * (bar_h + row_gap) + 6
    totals = [sum(v for _, v in parts) for _, parts in rows]
    if axis_max:
        vmax, n = axis_max, 4
    else:
        vmax, n = _ticks(max(max(totals, default=1.0), 1e-9), (1, 2, 5, 10, 20, 25, 50, 100))
    colors = {f: PALETTE[i % len(PALETTE)] for i, f in enumerate(factors)}
    body = _legend([(f.replace("_", " "), colors[f]) for f in factors], label_w, 18)
    bottom = height - 6
    for i in range(n + 1):
        x = label_w + plot_w * i / n
        body.append(f'<line x1="{_f(x)}" y1="{_f(top - 8)}" x2="{_f(x)}" y2="{_f(bottom)}" stroke="{GRID}"/>')
        body.append(_text(x, top - 12, _f(vmax * i / n), anchor="middle", size=10, fill=MUTED))
    y = top
    for (name, parts), total in zip(rows, totals, strict=True):
        body.append(f"<g><title>{escape(name)}</title>"
                    + _text(label_w - 10, y + bar_h - 6, _clip(name, 30), anchor="end", size=12) + "</g>")
        x = label_w
        for factor, v in parts:
            w = plot_w * v / vmax if vmax else 0.0
            color = colors.get(factor, PALETTE[-1])
            tip = f"{name}: {factor.replace('_', ' ')} {v:.2f}"
            body.append(f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(bar_h)}" fill="{color}" '
                        f'stroke="#ffffff" stroke-width="1"><title>{escape(tip)}</title></rect>')
            if w >= 26:
                body.append(_text(x + w / 2, y + bar_h - 7, f"{v:.1f}".removesuffix(".0"), anchor="middle",
                                  size=10, fill="#ffffff"))
            x += w
        body.append(_text(x + 6, y + bar_h - 6, f"{total:.1f}", size=12, weight="bold"))
        y += bar_h + row_gap
    return _svg(width, height, title, body)


def _heat(v: float) -> str:
    """White -> deep blue; ``v`` in [0, 1]."""
    lo, hi = (247, 250, 252), (30, 64, 124)
    r, g, b = (round(a + (c - a) * v) for a, c in zip(lo, hi, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(rows: Sequence[str], cols: Sequence[str], counts: Mapping[str, Mapping[str, int]],
            row_keys: Sequence[str] | None = None, *, title: str = "Theme frequency by segment") -> str:
    """A grid of counts (rows x columns) shaded by value; ``counts[row_key][col]``."""
    keys = list(row_keys) if row_keys is not None else list(rows)
    label_w = _label_width(rows, 44)
    cell_w, cell_h, top = 120.0, 32.0, 50.0
    width = label_w + cell_w * max(len(cols), 1) + 10
    height = top + cell_h * len(rows) + 8
    vmax = max((counts.get(k, {}).get(c, 0) for k in keys for c in cols), default=0) or 1
    body = []
    for j, col in enumerate(cols):
        cx = label_w + cell_w * (j + 0.5)
        lines = _wrap2(col, 17)
        tspans = "".join(f'<tspan x="{_f(cx)}" dy="{0 if k == 0 else 14}">{escape(t)}</tspan>'
                         for k, t in enumerate(lines))
        y0 = top - 10 - 14 * (len(lines) - 1)
        body.append(f'<g><title>{escape(col)}</title><text x="{_f(cx)}" y="{_f(y0)}" text-anchor="middle" '
                    f'font-size="11" font-weight="bold" fill="{INK}">{tspans}</text></g>')
    for i, (name, key) in enumerate(zip(rows, keys, strict=True)):
        y = top + cell_h * i
        row_label = _text(label_w - 10, y + cell_h / 2 + 4, _clip(name, 44), anchor="end", size=12)
        body.append(f"<g><title>{escape(name)}</title>{row_label}</g>")
        for j, col in enumerate(cols):
            v = counts.get(key, {}).get(col, 0)
            share = v / vmax
            x = label_w + cell_w * j
            body.append(f'<rect x="{_f(x + 1)}" y="{_f(y + 1)}" width="{_f(cell_w - 2)}" '
                        f'height="{_f(cell_h - 2)}" rx="3" fill="{_heat(share)}" stroke="{GRID}">'
                        f"<title>{escape(name)} × {escape(col)}: {v}</title></rect>")
            body.append(_text(x + cell_w / 2, y + cell_h / 2 + 4, str(v), anchor="middle", size=12,
                              fill="#ffffff" if share > 0.55 else INK, weight="bold" if v else "normal"))
    return _svg(width, height, title, body)
