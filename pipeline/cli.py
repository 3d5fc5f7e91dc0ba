"""The `rykte` command line (SPEC §2): a thin click layer over the library.

Exit codes: 0 success, 2 bad input or config (one line naming key path, file:line, URL or row),
1 any other failure. Commands whose config SPEC §2 makes optional (import, metrics, classify,
report) run with defaults when the config file is absent.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import click
import duckdb

from pipeline.cli_model import classify_cmd, model_group
from pipeline.cli_privacy import forget_cmd, user_group
from pipeline.context import AppContext
from pipeline.errors import InputError, RykteError


def _ctx(ctx: click.Context) -> AppContext:
    obj = ctx.find_object(AppContext)
    assert obj is not None
    return obj


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(path_type=Path), envvar="RYKTE_CONFIG",
              help="YAML config (env RYKTE_CONFIG; default config/rykte.yaml).")
@click.option("--data-dir", envvar="RYKTE_DATA_DIR", help="Data directory (env RYKTE_DATA_DIR; default ./data).")
@click.option("-v", "--verbose", count=True, help="More logging (-vv for debug).")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, data_dir: str | None, verbose: int) -> None:
    """Rykte: what is said publicly about your company as an employer, and how well you answer it."""
    _setup_logging(verbose)
    ctx.obj = AppContext(config_path, data_dir)


class _ConsoleFilter(logging.Filter):
    """Our own INFO lines (crawls, batches) on the console; other libraries only from WARNING, so a
    library that lowers its own logger's level (apprise's LogCapture) cannot flood the terminal."""

    def __init__(self, verbose: int):
        super().__init__()
        self.ours = logging.INFO if verbose == 0 else logging.DEBUG
        self.theirs = logging.WARNING - 10 * min(verbose, 2)

    def filter(self, record: logging.LogRecord) -> bool:
        mine = record.name.startswith(("pipeline", "rykte"))
        return record.levelno >= (self.ours if mine else self.theirs)


def _setup_logging(verbose: int) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("pipeline").setLevel(logging.INFO if verbose == 0 else logging.DEBUG)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_ConsoleFilter(verbose))


@contextlib.contextmanager
def _writing(app: AppContext, publish: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """The one writer connection for a command; the read snapshot is republished after it."""
    from pipeline.store.db import connect_writer
    from pipeline.store.snapshot import publish_snapshot

    con = connect_writer(app.data)
    try:
        yield con
        if publish:
            publish_snapshot(con, app.data)
    finally:
        con.close()


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option}: not a date (YYYY-MM-DD): {value!r}") from None


# -- ingest and analysis -------------------------------------------------------------------------
@cli.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--source", help="source for rows that name none (e.g. glassdoor)")
@click.option("--no-analyze", is_flag=True, help="ingest and link only; score later with `rykte analyze`")
@click.pass_context
def import_cmd(ctx: click.Context, path: Path, source: str | None, no_analyze: bool) -> None:
    """Ingest a .jsonl or .csv file in the import format, then analyze and link responses."""
    from pipeline.cycle import process_batch
    from pipeline.ingest.importer import parse_file
    from pipeline.ingest.staging import ingest_rows_in_batches

    app = _ctx(ctx)
    cfg = app.config(required=False)
    parsed = parse_file(path, default_source=source)
    with _writing(app, publish=False) as con:  # process_batch publishes
        result = ingest_rows_in_batches(con, parsed.rows)
        process_batch(con, cfg, app.data, config_given=app.has_config(), analyze=not no_analyze,
                      alerts=False)
    for line in parsed.warnings[:50]:
        click.echo(line, err=True)
    for err in parsed.errors[:50]:
        click.echo(err, err=True)
    if len(parsed.errors) > 50:
        click.echo(f"... and {len(parsed.errors) - 50} more bad rows", err=True)
    click.echo(f"{path}: {len(parsed.rows)} rows read: {result.inserted} new, {result.updated} updated, "
               f"{result.unchanged} unchanged; {len(parsed.errors)} skipped")
    if parsed.errors:
        ctx.exit(2)


@cli.command()
@click.option("--rescore", is_flag=True, help="score every mention again")
@click.pass_context
def analyze(ctx: click.Context, rescore: bool) -> None:
    """Score mentions not yet scored (language, sentiment, aspects, criticism)."""
    from pipeline.analysis.stage import analyze as run_analysis
    from pipeline.responses.link import link_responses

    app = _ctx(ctx)
    cfg = app.config(required=False)
    with _writing(app) as con:
        n = run_analysis(con, cfg.analysis, app.data.models, rescore=rescore)
        link_responses(con, cfg.responses)
    click.echo(f"scored {n} mentions")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="print the KPIs as one JSON object")
@click.option("--since", help="UTC date, inclusive (YYYY-MM-DD)")
@click.option("--until", help="UTC date, exclusive (YYYY-MM-DD)")
@click.option("--source", help="only this source")
@click.pass_context
def metrics(ctx: click.Context, as_json: bool, since: str | None, until: str | None, source: str | None) -> None:
    """The response KPIs of SPEC §4."""
    from pipeline.store.metrics import compute_metrics
    from pipeline.store.snapshot import open_for_reading

    app = _ctx(ctx)  # app.data: --data-dir, else the config's storage.data_dir (config optional, no secrets)
    with open_for_reading(app.data) as con:
        result = compute_metrics(con, _parse_date(since, "--since"), _parse_date(until, "--until"), source)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    rate = result["response_rate"]
    med = result["first_response_hours"]["median"]
    click.echo(f"mentions {result['mentions']}, criticisms {result['criticisms']}, answered "
               f"{result['criticisms_responded']} ({'-' if rate is None else f'{rate:.0%}'}), median first "
               f"response {'-' if med is None else f'{med:.1f} h'}")


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Each source: last crawl, items, errors, freshness (ok/stale/failing/never); each alert channel:
    last success, last failure and its error (secrets masked). --json: the sources only."""
    from pipeline.status import channel_statuses, format_channels, format_table, source_statuses
    from pipeline.store.db import connect_writer
    from pipeline.store.snapshot import open_for_reading

    app = _ctx(ctx)
    cfg = app.config(secrets=False)
    if not app.data.live.exists() and not app.data.snapshot.exists():
        connect_writer(app.data).close()  # an empty store: every source "never"
    with open_for_reading(app.data) as con:
        rows = source_statuses(con, cfg)
        channels = channel_statuses(con, cfg)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False))
        return
    click.echo(format_table(rows))
    if channels:
        click.echo("")
        click.echo(format_channels(channels))


# -- crawling and the service --------------------------------------------------------------------
@cli.command()
@click.argument("name")
@click.option("--full", is_flag=True, help="ignore the cursor and crawl everything again")
@click.pass_context
def crawl(ctx: click.Context, name: str, full: bool) -> None:
    """One crawl of the configured source NAME, ingested and analyzed."""
    from pipeline.service import Service

    app = _ctx(ctx)
    service = Service(app.config(), app.data, progress=None)
    try:
        r = service.crawl(name, full=full)
    finally:
        service.close()
    click.echo(f"{name} {r.summary()}")
    for s in r.error_samples[:5]:
        click.echo(f"  {s}", err=True)
    if r.status == "failed":
        ctx.exit(1)


@cli.command()
@click.option("--once", is_flag=True, help="one cycle for all sources, then exit")
@click.pass_context
def run(ctx: click.Context, once: bool) -> None:
    """The always-on service: scheduled crawls, pipeline, alerts, weekly report."""
    from pipeline.service import Service

    app = _ctx(ctx)
    service = Service(app.config(), app.data, progress=None)
    try:
        if once:
            result = service.cycle()
            for r in result.crawls:
                click.echo(f"  {r.summary()}")
        else:
            service.run_forever()
    finally:
        service.close()


@cli.command()
@click.option("--once", is_flag=True, help="one full cycle, then exit without the dashboard")
@click.option("--port", type=int, default=8501, show_default=True, help="dashboard port")
@click.option("--world-port", type=int, default=0, help="port of the demo world (0: any free port)")
@click.pass_context
def demo(ctx: click.Context, once: bool, port: int, world_port: int) -> None:
    """The local demo world on 127.0.0.1 + the service + the dashboard."""
    from pipeline.demo.runner import run_demo

    app = _ctx(ctx)
    run_demo(app, once=once, dashboard_port=port, world_port=world_port, echo=click.echo)


@cli.command()
@click.option("--week", help="ISO week YYYY-Www (default: the last complete week)")
@click.option("--send", is_flag=True, help="also deliver it to the configured recipients")
@click.pass_context
def report(ctx: click.Context, week: str | None, send: bool) -> None:
    """Write the weekly report (HTML and PDF) and print the PDF path."""
    from pipeline.service import Service

    app = _ctx(ctx)
    service = Service(app.config(required=False), app.data)
    try:
        pdf = service.write_report(week=week, send=send)
    finally:
        service.close()
    click.echo(pdf)


@cli.command()
@click.option("--port", type=int, default=8501, show_default=True)
@click.option("--address", default="127.0.0.1", show_default=True,
              help="listen address; beyond this machine only with dashboard.users configured")
@click.pass_context
def dashboard(ctx: click.Context, port: int, address: str) -> None:
    """The Streamlit dashboard over the published snapshot (login: dashboard.users, docs/privacy.md)."""
    from pipeline.dashboard_launch import dashboard_command_args, write_auth_file

    app = _ctx(ctx)  # the SLA and source limits come with the snapshot: no config secrets needed
    dash = app.config(required=False, secrets=False).dashboard
    auth = write_auth_file(app.data, dash, address)
    if not dash.users:
        click.echo("no dashboard.users configured: nobody can log in (add one with `rykte user add NAME`; "
                   "docs/privacy.md)", err=True)
    args = dashboard_command_args(app.data_dir.resolve(), port, address=address, auth_file=auth)
    click.echo(f"Dashboard: http://{address}:{port}")
    raise SystemExit(subprocess.call(args))


@cli.group()
def stats() -> None:
    """Quarterly social-media statistics."""


@stats.command("import")
@click.argument("files", metavar="FILE...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="show what would be new, changed or unchanged; write nothing")
@click.pass_context
def stats_import(ctx: click.Context, files: tuple[Path, ...], dry_run: bool) -> None:
    """Import quarterly statistics (CSV or XLSX files, or directories of them, e.g. config/quarterly/).

    Every bad row is reported with file:row and nothing is imported (exit 2)."""
    from pipeline.stats.importer import format_plan, plan_import, write_plan
    from pipeline.stats.quarterly import BadStatsFile, read_stats
    from pipeline.store.snapshot import open_for_reading

    app = _ctx(ctx)
    try:
        rows = read_stats(files)  # the whole input is checked before the store is opened
    except BadStatsFile as exc:
        for err in exc.errors:
            click.echo(err, err=True)
        raise
    what = str(files[0]) if len(files) == 1 else f"{len(files)} inputs"
    if dry_run:
        try:
            with open_for_reading(app.data) as con:
                plan = plan_import(con, rows)
        except InputError:  # no store yet: everything would be new
            plan = plan_import(None, rows)
        click.echo(format_plan(plan))
        click.echo(f"{what}: {len(rows)} statistics would be imported ({plan.summary()}); dry run, nothing written")
        return
    with _writing(app) as con:
        plan = plan_import(con, rows)
        write_plan(con, plan)
    click.echo(f"{what}: {len(rows)} statistics imported ({plan.summary()})")


cli.add_command(model_group)
cli.add_command(classify_cmd)
cli.add_command(forget_cmd)  # privacy: erasure, suppressions, retention (pipeline/cli_privacy.py)
cli.add_command(user_group)  # dashboard logins


def _override_config(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        _ctx(ctx).override(config_path=value)


def _override_data_dir(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        _ctx(ctx).override(data_dir=value)


def _add_global_options(command: click.Command) -> None:
    """SPEC §2: --config and --data-dir on every command, before or after its name."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _add_global_options(sub)
        return
    command.params.extend([
        click.Option(["--config"], type=click.Path(path_type=Path), expose_value=False, callback=_override_config,
                     help="YAML config (also accepted before the command)."),
        click.Option(["--data-dir"], expose_value=False, callback=_override_data_dir,
                     help="Data directory (also accepted before the command)."),
    ])


for _command in cli.commands.values():
    _add_global_options(_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and map errors to SPEC §2 exit codes with a one-line message."""
    os.umask(0o077)  # the data dir and every file in it are private (0700 / 0600; docs/privacy.md)
    try:
        rv = cli.main(args=argv, prog_name="rykte", standalone_mode=False)
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except click.Abort:
        click.echo("rykte: aborted", err=True)
        raise SystemExit(1) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(2) from None
    except RykteError as exc:
        click.echo(f"rykte: error: {exc}", err=True)
        raise SystemExit(exc.exit_code) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except Exception as exc:  # a failure of ours or of the environment: one line, traceback with -vv
        logging.getLogger("rykte").debug("unexpected failure", exc_info=True)
        click.echo(f"rykte: error: {type(exc).__name__}: {exc} (run with -vv for the traceback)", err=True)
        raise SystemExit(1) from None
    raise SystemExit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":
    main(sys.argv[1:])
