"""The privacy commands of `rykte`: `forget` (erasure, suppressions, retention) and `user` (dashboard logins).

A thin click layer over `pipeline.privacy`; `pipeline/cli.py` adds them to
the command group. What they do for the people concerned is in `docs/privacy.md`.
"""

from __future__ import annotations

import sys

import click
import duckdb

from pipeline.context import AppContext
from pipeline.errors import InputError


def _app(ctx: click.Context) -> AppContext:
    obj = ctx.find_object(AppContext)
    assert obj is not None
    return obj


@click.command("forget")
@click.option("--author", help="account name whose mentions are erased (and kept out from now on)")
@click.option("--source", help="only on this source (default: every source)")
@click.option("--list", "list_", is_flag=True, help="how many people are forgotten (not who)")
@click.option("--undo", is_flag=True, help="with --author [--source]: take new items by them in again")
@click.option("--retention", is_flag=True, help="apply privacy.retention_days / drop_text_after_days now")
@click.pass_context
def forget_cmd(ctx: click.Context, author: str | None, source: str | None, list_: bool, undo: bool,
               retention: bool) -> None:
    """Erase a person's mentions everywhere (privacy) and keep later crawls and imports from bringing them back."""
    from pipeline.store.db import connect_writer
    from pipeline.store.snapshot import publish_snapshot

    app = _app(ctx)
    if sum((bool(list_), bool(retention), author is not None)) != 1:
        raise InputError("forget: give exactly one of --author NAME, --list or --retention")
    if undo and author is None:
        raise InputError("forget --undo: needs --author NAME (the name is not stored, only its keyed hash)")
    if list_ or undo or retention:
        from pipeline.privacy.keys import load_key
        from pipeline.privacy.retention import apply_retention
        from pipeline.privacy.suppression import count_suppressions, remove_suppression

        con = connect_writer(app.data)
        try:
            if list_:
                click.echo(f"{count_suppressions(con)} suppression(s): "
                           "people forgotten; their names are not stored")
                return
            key = load_key(app.data.root)
            if undo:
                assert author is not None
                found = remove_suppression(con, key, author, source)
                click.echo(f"suppression for {author} removed: new items by them are taken in again" if found
                           else f"no suppression for {author}" + (f" on {source}" if source else ""))
            else:
                privacy = app.config(required=False, secrets=False).privacy
                r = apply_retention(con, key, privacy.retention_days, privacy.drop_text_after_days)
                click.echo(f"retention: {r.pseudonymised} mention(s) pseudonymised, {r.texts_dropped} text(s) emptied")
            publish_snapshot(con, app.data)
        finally:
            con.close()
        return
    assert author is not None
    _erase(app, author, source)


def _erase(app: AppContext, author: str, source: str | None) -> None:
    from pipeline.privacy.erasure import forget_person

    cfg = app.config(required=False, secrets=False)
    reports_dir = app.data.reports

    def write_report(con: duckdb.DuckDBPyConnection, week: str) -> None:
        from pipeline.reports.weekly import build_report

        build_report(con, cfg, reports_dir, week=week)

    r = forget_person(app.data, author, source, write_report=write_report)
    where = f" on {source}" if source else ""
    click.echo(f"erased {r.mentions} mention(s) by {author}{where}; "
               f"{'suppressed from now on' if r.newly_suppressed else 'already suppressed'}; "
               f"{r.files_rewritten} file(s) rewritten; store compacted and snapshot republished")
    if r.reports_rewritten:
        click.echo(f"reports written again: {', '.join(r.reports_rewritten)}")
    if r.reports_deleted:
        click.echo(f"reports deleted (could not be written again): {', '.join(r.reports_deleted)}", err=True)


@click.group("user")
def user_group() -> None:
    """Dashboard logins (password hashes for the config's dashboard.users)."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["viewer", "editor"]), default="viewer", show_default=True,
              help="editor: may correct labels and make other changes in the dashboard")
@click.option("--password-stdin", is_flag=True, help="read the password from stdin (one line) instead of a prompt")
def user_add(name: str, role: str, password_stdin: bool) -> None:
    """Hash a password for NAME and print the line to paste under `dashboard: users:` in the config."""
    from pipeline.privacy.passwords import MIN_PASSWORD, hash_password, user_yaml_line

    if password_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD:
        raise InputError(f"password: at least {MIN_PASSWORD} characters")
    click.echo(user_yaml_line(name, role, hash_password(password)))
