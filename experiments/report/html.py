"""report.html: one self-contained page (figures embedded as base64 PNG), readable in any browser."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pandas as pd

from .build import ReportContent, budget_sentence
from .contents import html_toc
from .markdown import HYPERPARAMETERS_NOTE
from .tuning import html_parts as tuning_html

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1180px;margin:2em auto;
padding:0 1.2em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;font-size:.8em;margin:.6em 0}
th,td{border:1px solid #ddd;padding:.25em .4em;text-align:right;vertical-align:top}
th{background:#f3f3f3;vertical-align:bottom}.text{text-align:left}td.notes{min-width:14em}
td.yes{background:#e5f1e8!important;text-align:center}td.no{color:#999;text-align:center}
tr:nth-child(even) td{background:#fafafa}figure{margin:1.2em 0}
figure img{max-width:100%;height:auto;border:1px solid #eee;box-sizing:border-box}
figcaption{color:#555;font-size:.92em}
pre{background:#f6f6f6;padding:.8em;font-size:.85em;white-space:pre-wrap;overflow-wrap:anywhere}
ul.notes{font-size:.9em;color:#444}.nw{white-space:nowrap}
nav.toc{font-size:.9em;border:1px solid #eee;padding:.2em 1em;margin:1em 0}nav.toc h2{font-size:1.1em;border:0}
nav.toc ul ul{columns:2;font-size:.95em}
"""
#: columns of words (left-aligned, wrapped at spaces); every other column holds numbers
TEXT_COLUMNS = {"rule", "label", "budget", "network", "notes", "reason", "run_id", "status", "package", "version",
                "learning rule", "optimizer", "other than the default", "defaults"}


def html_table(df: pd.DataFrame) -> str:
    """A table that fits the page: every cell may wrap, at spaces, after an underscore (rule names)
    or before '±' (an interval stays with its half-width), never inside a number."""
    if df.empty:
        return ""
    # a header may also wrap after a dot or an underscore (optimizer.<wbr>lr, readout_<wbr>only)
    head = "".join(f'<th{_class(c)}>{html.escape(str(c)).replace(".", ".<wbr>").replace("_", "_<wbr>")}</th>'
                   for c in df.columns)
    body = []
    for row in df.itertuples(index=False):
        cells = "".join(_td(col, v) for col, v in zip(df.columns, row))
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _class(column: str, value=None) -> str:
    classes = (["text"] if column in TEXT_COLUMNS else []) + (["notes"] if column in ("notes", "reason") else [])
    classes += [value] if value in ("yes", "no") else []
    return f' class="{" ".join(classes)}"' if classes else ""


#: words that must not be broken: layer widths (40-256-10) and ranges in brackets ((13.8–15.3));
#: a longer chain of widths may break after a hyphen (a deep network's row stays inside the page)
UNBROKEN = re.compile(r"((?<![\d-])\d+(?:-\d+){1,4}(?![\d-])|\([^()\s]*\))")


def _td(column: str, value) -> str:
    """A cell; plausibility answers are shaded ('yes'/'no')."""
    text = html.escape(str(value)).replace("_", "_<wbr>").replace(" ± ", " ±&nbsp;")
    text = UNBROKEN.sub(r'<span class="nw">\1</span>', text)
    return f"<td{_class(column, value)}>{text}</td>"


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
    out += [html_toc(c, e), '<h2 id="summary">Summary</h2>']
    if c.budgets:
        drawn = any(f.name == "accuracy_vs_compute" for f in c.figures)
        link = ('<a href="#accuracy_vs_compute">the accuracy-against-FLOPs figure</a>' if drawn
                else "the accuracy-against-FLOPs figure")
        out.append('<p class="budgets">' + e(budget_sentence(c.budgets, "{link}")).replace("{link}", link) + "</p>")
    out += [f'<p class="format">{e(c.number_format)}</p>'] + ([f'<p class="data">{e(c.data)}</p>'] if c.data else [])
    out += [html_table(c.summary),
            '<ul class="notes">' + "".join(f"<li>{e(n)}</li>" for n in c.notes) + "</ul>"]
    if not c.equal_compute.empty:
        out += ['<h2 id="equal-compute">Equal compute</h2>', f"<p>{e(c.equal_compute_note)}</p>", html_table(c.equal_compute)]
    out += tuning_html(c.tuning, html_table, e)
    out += ['<h2 id="plausibility-and-cost">Plausibility and cost</h2>',
            "<p>Each rule's plausibility card (yes = respects the constraint) beside its accuracy and compute. "
            "Critical path: sequential layer operations (forward and backward) in one training step; "
            "first layer waits: operations before the first layer can update (update locking).</p>",
            html_table(c.plausibility), '<h2 id="figures">Figures</h2>']
    for f in c.figures:
        out.append(f'<figure id="{e(f.name)}"><h3>{e(f.title)}</h3>{_img(f.png, f.title)}'
                   f"<figcaption>{e(f.caption)}</figcaption></figure>")
    if c.skipped:
        out.append("<p>Not drawn (no data for them in these results):</p>"
                   '<ul class="skipped">' + "".join(f"<li>{e(line)}</li>" for line in c.skipped) + "</ul>")
    out.append('<h2 id="failures">Failures</h2>')
    if c.failures.empty:
        out.append(f"<p>None: all {c.n_runs} runs complete.</p>")
    else:
        out += [f"<p>{len(c.failures)} of {c.n_runs} runs did not complete or were flagged unstable "
                "(tracebacks in runs/&lt;run_id&gt;/run.json):</p>", html_table(c.failures)]
    if not c.hyperparameters.empty:
        out += ['<h2 id="hyperparameters">Hyperparameters</h2>', f"<p>{e(HYPERPARAMETERS_NOTE)}</p>",
                html_table(c.hyperparameters)]
    p = c.provenance
    out += ['<h2 id="provenance">Provenance</h2>', "<ul>" + "".join(f"<li>{e(k)}: {e(v)}</li>" for k, v in p["facts"]) + "</ul>"]
    if p["packages"]:
        out.append(html_table(pd.DataFrame(p["packages"], columns=["package", "version"])))
    if p["config"]:
        out.append('<p>The experiment as run: <a href="config.toml">config.toml</a> in the results folder.</p>')
    out.append("</body></html>")
    return "\n".join(out)
