"""report.md: contents, the summary table first, then plausibility, figures, failures,
hyperparameters and provenance."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .build import ReportContent, budget_sentence
from .contents import markdown_toc, md_anchor
from .tuning import markdown_lines as tuning_markdown


def md_table(df: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table of a frame of strings (pipes escaped)."""
    if df.empty:
        return ""
    cell = lambda v: str(v).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = ["| " + " | ".join(cell(c) for c in df.columns) + " |",
             "|" + "|".join("---" for _ in df.columns) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def render_markdown(c: ReportContent, root: Path) -> str:
    out = [f"# {c.title}: comparison report", ""]
    if c.description:
        out += [c.description, ""]
    out += ["Contents:", "", *markdown_toc(c), ""]
    out += ["## Summary", ""]
    if c.budgets:
        drawn = next((f for f in c.figures if f.name == "accuracy_vs_compute"), None)
        link = "the accuracy-against-FLOPs figure"  # the heading's anchor, as GitHub and most renderers make it
        link = f"[{link}](#{md_anchor(drawn.title)})" if drawn else link
        out += [budget_sentence(c.budgets, link), ""]
    out += [c.number_format, ""] + ([c.data, ""] if c.data else []) + [md_table(c.summary), ""]
    out += [f"- {n}" for n in c.notes] + [""]
    if not c.equal_compute.empty:
        out += ["## Equal compute", "", c.equal_compute_note, "", md_table(c.equal_compute), ""]
    out += tuning_markdown(c.tuning, md_table)
    out += ["## Plausibility and cost", "",
            "Each rule's plausibility card (yes = respects the constraint) beside its accuracy and compute. "
            "Critical path: sequential layer operations (forward and backward) in one training step; "
            "first layer waits: operations before the first layer can update (update locking).",
            "", md_table(c.plausibility), ""]
    out += ["## Figures", ""]
    for f in c.figures:
        rel = f.png.relative_to(root).as_posix()
        out += [f"### {f.title}", "", f"![{f.title}]({rel})", "",
                f"{f.caption} ([SVG]({f.svg.relative_to(root).as_posix()}))", ""]
    if c.skipped:
        out += ["Not drawn (no data for them in these results):", ""] + [f"- {line}" for line in c.skipped] + [""]
    out += ["## Failures", ""]
    if c.failures.empty:
        out += [f"None: all {c.n_runs} runs complete.", ""]
    else:
        out += [f"{len(c.failures)} of {c.n_runs} runs did not complete or were flagged unstable "
                "(tracebacks in runs/<run_id>/run.json):", "", md_table(c.failures), ""]
    if not c.hyperparameters.empty:
        out += ["## Hyperparameters", "", HYPERPARAMETERS_NOTE, "", md_table(c.hyperparameters), ""]
    p = c.provenance
    out += ["## Provenance", ""] + [f"- {k}: {v}" for k, v in p["facts"]] + [""]
    if p["packages"]:
        out += [md_table(pd.DataFrame(p["packages"], columns=["package", "version"])), ""]
    if p["config"]:
        out += ["The experiment as run: [config.toml](config.toml).", ""]
    return "\n".join(out)


#: the sentence above the hyperparameter table (both writers)
HYPERPARAMETERS_NOTE = ("Each rule's optimizer and hyperparameters as its runs stored them (run.json): the values "
                        "other than the rule's default (a value written equal to its default is a default), then "
                        "every default; braces list the values of a sweep.")
