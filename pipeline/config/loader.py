"""Load the YAML config: substitute `${ENV}` secrets, validate, and name the key path and line.

PyYAML's node tree keeps a line for every key, so every error becomes one line such as
`config/rykte.yaml:14: sources[1].schedule: invalid schedule 'dayly'`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pipeline.config.model import RykteConfig
from pipeline.errors import ConfigError

ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
Path_ = tuple[str | int, ...]


def format_path(path: Path_) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


class _Doc:
    """The YAML document as plain data plus the line of every key path."""

    def __init__(self, text: str, filename: str, env: Mapping[str, str], secrets: bool = True):
        self.filename = filename
        self.lines: dict[Path_, int] = {}
        self.env = env
        self.secrets = secrets
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            position = getattr(exc, "position", None)  # a ReaderError (a control character) has no mark
            if mark is not None:
                line = f":{mark.line + 1}"
            elif isinstance(position, int):
                line = f":{text.count(chr(10), 0, position) + 1}"
            else:
                line = ""
            problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
            problem = " ".join(str(problem).split())  # one line
            raise ConfigError(f"{filename}{line}: invalid YAML: {problem}") from None
        self.data = self._build(node, ()) if node is not None else {}

    def _build(self, node: yaml.Node, path: Path_) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in out:
                    raise ConfigError(f"{self.filename}:{key_node.start_mark.line + 1}: "
                                      f"{format_path((*path, key))}: duplicate key")
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                out[key] = self._build(value_node, (*path, key))
                self.lines[(*path, key)] = key_node.start_mark.line + 1
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self._build(child, (*path, i)) for i, child in enumerate(node.value)]
        value = yaml.SafeLoader(  # resolve the scalar's type as safe_load would
            ""
        ).construct_object(node, deep=True)
        if isinstance(value, str):
            value = self._substitute(value, path)
        return value

    def _substitute(self, value: str, path: Path_) -> str:
        def repl(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in self.env:
                return self.env[name]
            if default is not None:
                return default
            if not self.secrets:  # a reader that needs no secret: the reference stays as written
                return m.group(0)
            raise ConfigError(f"{self.where(path)}: environment variable {name} is not set "
                              f"(the config references ${{{name}}}; use ${{{name}:-}} to make it optional)")

        return ENV_RE.sub(repl, value)

    def line_of(self, path: Path_) -> int | None:
        for n in range(len(path), -1, -1):
            if path[:n] in self.lines:
                return self.lines[path[:n]]
        return None

    def where(self, path: Path_) -> str:
        line = self.line_of(path)
        loc = f"{self.filename}:{line}" if line else self.filename
        return f"{loc}: {format_path(path)}"


def _first_error(doc: _Doc, exc: ValidationError, prefix: Path_ = ()) -> ConfigError:
    err = exc.errors()[0]
    path: Path_ = prefix + tuple(p for p in err["loc"] if isinstance(p, str | int))
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
    elif err["type"] == "missing":
        msg = "required key is missing"
    elif msg.startswith("Value error, "):
        msg = msg.removeprefix("Value error, ")
    more = len(exc.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return ConfigError(f"{doc.where(path)}: {msg}{suffix}")


def parse_config(text: str, filename: str = "<config>", env: Mapping[str, str] | None = None, *,
                 secrets: bool = True) -> RykteConfig:
    """Validate a config text; `secrets=False` leaves unset `${NAME}` references as written instead
    of failing (for readers such as the dashboard and `rykte metrics` that use no secret; such a
    config must never be used to crawl or deliver)."""
    doc = _Doc(text, filename, os.environ if env is None else env, secrets)
    if not isinstance(doc.data, dict):
        raise ConfigError(f"{filename}:1: the config must be a mapping of sections")
    try:
        cfg = RykteConfig.model_validate(doc.data)
    except ValidationError as exc:
        raise _first_error(doc, exc) from None
    for i, source in enumerate(cfg.sources):
        try:
            source.parsed_options()
        except ValidationError as exc:
            raise _first_error(doc, exc, ("sources", i, "options")) from None
    return cfg


def load_config(path: Path, env: Mapping[str, str] | None = None,
                extra_env: Mapping[str, str] | None = None, *, secrets: bool = True) -> RykteConfig:
    """Read and validate `path`; every problem is a ConfigError naming file, line and key path.

    `env` replaces the process environment for `${NAME}` lookups; `extra_env` adds to it (the demo
    passes its world's URLs this way). `secrets=False`: see `parse_config`.
    """
    if extra_env:
        env = {**(os.environ if env is None else env), **extra_env}
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found (pass --config or set RYKTE_CONFIG)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    return parse_config(text, str(path), env, secrets=secrets)
