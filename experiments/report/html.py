"""report.html: one self-contained page (figures embedded as base64 PNG), readable in any browser."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

from .build import ReportContent
from .tuning import html_parts as tuning_html

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1180px;margin:2em auto;
padding:0 1.2em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;font-size:.84em;margin:.6em 0;display:block;overflow-x:auto}
th,td{border:1px solid #ddd;padding:.3em .55em;text-align:right;white-space:nowrap}
th{background:#f3f3f3;white-space:normal;vertical-align:bottom;min-width:4.5em}td:first-child,th:first-child{text-align:left}
td.notes,th.notes{text-align:left;white-space:normal;min-width:18em}
td.yes{background:#e5f1e8!important;text-align:center}td.no{color:#999;text-align:center}
tr:nth-child(even) td{background:#fafafa}figure{margin:1.2em 0}
figure img{max-width:100%;height:auto;border:1px solid #eee}figcaption{color:#555;font-size:.92em}
pre{background:#f6f6f6;padding:.8em;overflow-x:auto;font-size:.85em}ul.notes{font-size:.9em;color:#444}
"""


def html_table(df: pd.DataFrame) -> str:
    if df.empty:
        return ""
    wide = ("notes", "reason")
    head = "".join(f'<th class="notes">{html.escape(str(c))}</th>' if c in wide else f"<th>{html.escape(str(c))}</th>"
                   for c in df.columns)
    body = []
    for row in df.itertuples(index=False):
        cells = "".join(_td(col, v) for col, v in zip(df.columns, row))
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _td(column: str, value) -> str:
    """A cell; free text wraps ('notes'), plausibility answers are shaded ('yes'/'no')."""
    cls = "notes" if column in ("notes", "reason") else (value if value in ("yes", "no") else "")
    attr = f' class="{cls}"' if cls else ""
    return f"<td{attr}>{html.escape(str(value))}</td>"


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def render_html(c: ReportContent) -> str:
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(c.title)}: comparison report</title><style>{CSS}</style></head><body>",
           f"<h1>{e(c.title)}: comparison report</h1>"]
    if c.description:
        out.append(f"<p>{e(c.description)}</p>")
    out += ["<h2>Summary</h2>", html_table(c.summary),
            '<ul class="notes">' + "".join(f"<li>{e(n)}</li>" for n in c.notes) + "</ul>"]
    out += tuning_html(c.tuning, html_table, e)
    out += ["<h2>Plausibility and cost</h2>",
            "<p>Each rule's plausibility card (yes = respects the constraint) beside its accuracy and compute. "
            "Critical path: sequential layer operations (forward and backward) in one training step; "
            "first layer waits: operations before the first layer can update (update locking).</p>",
            html_table(c.plausibility), "<h2>Figures</h2>"]
    for f in c.figures:
        out.append(f'<figure id="{e(f.name)}"><h3>{e(f.title)}</h3>{_img(f.png, f.title)}'
                   f"<figcaption>{e(f.caption)}</figcaption></figure>")
    out.append("<h2>Failures</h2>")
    if c.failures.empty:
        out.append(f"<p>None: all {c.n_runs} runs complete.</p>")
    else:
        out += [f"<p>{len(c.failures)} of {c.n_runs} runs did not complete "
                "(tracebacks in runs/&lt;run_id&gt;/run.json):</p>", html_table(c.failures)]
    p = c.provenance
    out += ["<h2>Provenance</h2>", "<ul>" + "".join(f"<li>{e(k)}: {e(v)}</li>" for k, v in p["facts"]) + "</ul>"]
    if p["packages"]:
        out.append(html_table(pd.DataFrame(p["packages"], columns=["package", "version"])))
    if p["config"]:
        out += ["<p>Configuration (config.toml):</p>", f"<pre>{e(p['config'])}</pre>"]
    out.append("</body></html>")
    return "\n".join(out)
