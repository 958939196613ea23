"""Every ``learning-rules ...`` command in README.md and docs/*.md, pasted as written, exits as
documented.

The commands are read from the Markdown code blocks (``$ `` lines of console blocks, command lines
of the others, with ``\\`` continuations and ``cmd && learning-rules ...`` chains), in document
order, and run in one temporary folder with the CLI's ``--smoke`` (one seed, one epoch: the
documented experiment, shrunk). The quickstart-shaped experiments (the quickstart, the pasteable
sweep, the pasteable tuned experiment, the plugin example) are computed, without their report, which the documented
``learning-rules report results/quickstart`` then writes once; the study files, whose smallest
version still takes minutes, are validated and planned with ``--dry-run``. A console block that
shows an ``error:`` line documents exit status 2 and that exact line. Commands that cannot run
here (a cluster, a Ctrl-C; a download, were any documented) are listed in ``SKIP`` with the
reason, and the test fails when a listed command disappears from the docs.

The Python blocks of README.md and docs/*.md run too: each page's blocks in order, as one session
pasted into a fresh interpreter, next to a stored quickstart; a block fenced ```python notest
(a fragment, or one that reads a long study's results) is left out.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from experiments.cli import main

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

#: command text (as in the docs, comments stripped) -> why it is not run here
SKIP = {
    "learning-rules run sweep.toml --dask tcp://127.0.0.1:8786":
        "needs the `dask scheduler` and `dask worker` processes that block starts",
}
#: console transcripts that show something a paste cannot reproduce
SKIP_TRANSCRIPTS = {
    "learning-rules run sweep.toml --workers 2":
        "the transcript shows an interruption by Ctrl-C (exit 130); interrupts are tested in test_sweep_interrupt.py",
}
#: configs computed for real (shrunk by --smoke); every other config is planned with --dry-run
COMPUTED = ("quickstart.toml", "sweep.toml", "drtp.toml", "tuned.toml")
#: pages whose commands are measurements (minutes each): planned with --dry-run, whatever the config
MEASUREMENTS = ("docs/reproducibility.md",)
#: computed commands that also write their report, with the exit status expected: the pasteable
#: sweep, whose key that applies to one rule once crashed the report
WITH_REPORT = {
    ("docs/sweeps.md", "learning-rules run sweep.toml"): 0,
}


@dataclass
class Command:
    doc: str
    line: int
    text: str
    expected_error: str | None = None  # the error: line a console transcript shows
    transcript: bool = False
    files: dict[str, str] = field(default_factory=dict)  # heredocs written before it runs


def _blocks(path: Path, with_flags: bool = False):
    """(language, first line number, lines) of each fenced code block; ``with_flags``: the words
    after the language too (```python notest), as a fourth item."""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"\s*```(\w*)(.*)", lines[i])
        if m:
            start, body = i + 1, []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                body.append(lines[i])
                i += 1
            yield (m.group(1), start + 1, body, m.group(2).split()) if with_flags else (m.group(1), start + 1, body)
        i += 1


def _strip_comment(text: str) -> str:
    return shlex.join(shlex.split(text, comments=True))


def documented_commands() -> list[Command]:
    commands, files = [], {}
    for path in DOCS:
        doc = str(path.relative_to(ROOT))
        for lang, first, body in _blocks(path):
            if lang in ("python", "toml", "text"):
                continue
            j = 0
            while j < len(body):
                number, line = first + j, body[j].strip()
                heredoc = re.match(r"cat > (\S+) <<'(\w+)'", line)
                if heredoc:
                    end = body.index(heredoc.group(2), j + 1)
                    files[heredoc.group(1)] = "\n".join(body[j + 1 : end]) + "\n"
                    j = end + 1
                    continue
                while line.endswith("\\") and j + 1 < len(body):
                    j += 1
                    line = line[:-1] + " " + body[j].strip()
                console = lang == "console"
                if console and not line.startswith("$ "):
                    j += 1
                    continue
                for part in line.removeprefix("$ ").split("&&"):
                    if not part.strip().startswith("learning-rules "):
                        continue
                    part = _strip_comment(part)
                    output = []
                    for nxt in body[j + 1 :]:
                        if nxt.startswith("$ "):
                            break
                        output.append(nxt)
                    error = next((o for o in output if o.startswith("error: ")), None) if console else None
                    commands.append(Command(doc, number, part, error, console and bool(output), dict(files)))
                j += 1
    return commands


def _shrunk(argv: list[str], workspace: Path, report: bool, computed: bool = True) -> list[str]:
    """The command as the test runs it: config paths from the repository, --out inside the
    workspace, --smoke, and --dry-run for the experiments not computed here. Computed runs skip
    their report (``report``: unless asked), which the documented `learning-rules report` writes."""
    args = []
    for i, a in enumerate(argv):
        if i > 0 and argv[i - 1] == "--out" and Path(a).is_absolute():
            a = str(workspace / Path(a).name)
        elif not (workspace / a).exists() and (ROOT / a).exists() and not a.startswith("-"):
            a = str(ROOT / a)
        args.append(a)
    if args[:1] == ["report"]:
        smoke = Path(args[1] + "-smoke")
        return ["report", str(smoke), *args[2:]] if (workspace / smoke).exists() else args
    if args[:1] != ["run"]:
        return args
    config = next((a for a in argv[1:2] if not a.startswith("-")), "quickstart.toml")  # the default
    planned = Path(config).name not in COMPUTED or not computed
    if planned:
        return args + ["--smoke"] + ([] if "--dry-run" in args else ["--dry-run"])
    if Path(config).name == "drtp.toml":  # the plugin is registered in this process only (drtp_plugin)
        args += ["--workers", "1"]
    return args + ["--smoke"] + ([] if report or "--report" in args else ["--no-report"])


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def drtp_plugin():
    """What `pip install -e examples/drtp_rule` gives: the plugin's rule under its entry-point name."""
    from learning_rules.rules import register, unregister

    sys.path.insert(0, str(ROOT / "examples" / "drtp_rule"))
    from drtp_rule.drtp import DirectRandomTargetProjection

    register("drtp", DirectRandomTargetProjection)
    yield
    unregister("drtp")
    sys.path.remove(str(ROOT / "examples" / "drtp_rule"))


def test_the_skip_lists_name_documented_commands():
    texts = {c.text for c in documented_commands()}
    assert set(SKIP) <= texts and set(SKIP_TRANSCRIPTS) <= texts
    assert {text for _, text in WITH_REPORT} <= texts
    assert len(texts) >= 30, "the extraction found too few commands"


def test_every_documented_command_exits_as_documented(tmp_path, monkeypatch, drtp_plugin):
    monkeypatch.chdir(tmp_path)
    failures, ran, seen = [], 0, set()
    for cmd in documented_commands():
        if cmd.text in SKIP or (cmd.transcript and cmd.text in SKIP_TRANSCRIPTS):
            continue
        for name, text in cmd.files.items():
            if not (tmp_path / name).exists():
                (tmp_path / name).write_text(text)
        argv = _shrunk(shlex.split(cmd.text)[1:], tmp_path, report=(cmd.doc, cmd.text) in WITH_REPORT,
                       computed=cmd.doc not in MEASUREMENTS)
        if tuple(argv) in seen and cmd.expected_error is None:
            continue  # the same command again (README and a doc page): it was checked
        seen.add(tuple(argv))
        code, out, err = _run(argv)
        ran += 1
        want = 2 if cmd.expected_error else WITH_REPORT.get((cmd.doc, cmd.text), 0)
        bad = code != want or "Traceback" in err
        if cmd.expected_error and err.strip() != cmd.expected_error:
            bad = True
        if bad:
            failures.append(f"{cmd.doc}:{cmd.line}: {cmd.text}\n    ran: learning-rules {shlex.join(argv)}\n"
                            f"    exit {code}, expected {want}; stderr: {err.strip()[-600:]}")
    assert ran >= 30
    assert not failures, "\n".join(failures)


def documented_python() -> dict[str, list[tuple[int, str]]]:
    """doc -> its Python blocks (first line number, code), in order; a block fenced
    ```python notest (one that needs what cannot run here, such as a long study's results) is left out."""
    out: dict[str, list[tuple[int, str]]] = {}
    for path in DOCS:
        for lang, first, body, flags in _blocks(path, with_flags=True):
            if lang == "python" and "notest" not in flags:
                out.setdefault(str(path.relative_to(ROOT)), []).append((first, "\n".join(body)))
    return out


def test_every_documented_python_block_runs(tmp_path):
    """Each page's Python blocks, pasted in order into one session, run without an error, in a
    folder where `learning-rules run` has stored the quickstart and its report (shrunk by --smoke, as
    results/quickstart)
    and with the plugin example importable."""
    import os
    import subprocess

    blocks = documented_python()
    assert "README.md" in blocks and len(sum(blocks.values(), [])) >= 6, "the extraction found too few blocks"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["run", "quickstart", "--smoke", "--out", str(tmp_path / "results")]) == 0
    (tmp_path / "results" / "quickstart-smoke").rename(tmp_path / "results" / "quickstart")
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "examples" / "drtp_rule")])}
    failures = []
    for doc, parts in blocks.items():
        # one script per page; each block's lines keep their number in the page, for the traceback
        lines: list[str] = []
        for first, code in parts:
            lines += [""] * (first - 1 - len(lines)) + code.splitlines()
        script = "\n".join(lines) + "\n"
        result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            failures.append(f"{doc}: exit {result.returncode}\n{result.stderr.strip()[-1500:]}")
    assert not failures, "\n".join(failures)
