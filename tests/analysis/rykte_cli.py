"""Run the real `rykte` entry point (`pipeline.cli.main`) in-process, with stdin and captured output.

Why not `CliRunner().invoke(cli)`: that bypasses `main`, which maps `InputError`/`RykteError` to the
exit codes and one-line messages of SPEC §2; this runs exactly what `.venv/bin/rykte` runs, without
the seconds a new interpreter costs. RYKTE_* variables of the caller's environment are hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

from click.testing import CliRunner

from pipeline.cli import main


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def rykte(*args: str, stdin: str = "") -> Result:
    """`rykte ARGS` with `stdin`; returns its exit code and what it printed."""
    runner = CliRunner()
    with runner.isolation(input=stdin, env={"RYKTE_CONFIG": None, "RYKTE_DATA_DIR": None}) as (out, err, _):
        try:
            main(list(args))
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        return Result(code, out.getvalue().decode(), err.getvalue().decode())
