"""What every command needs: the (lazily loaded) configuration, then the data directory, resolved once.

Built once by the CLI from `--config`/`RYKTE_CONFIG` and `--data-dir`/`RYKTE_DATA_DIR` (click reads
the environment, so no module calls `os.getenv`). The data directory is `--data-dir` (or
`RYKTE_DATA_DIR`), else the config's `storage.data_dir`, else `./data`; every command gets it from
`AppContext.data`, so none can forget the config's choice. Commands for which SPEC §2 makes the
config optional get `RykteConfig.minimal()` when the file is absent. Readers that use no secret
(the dashboard, `metrics`, `status`, `forget`, `stats import`, and the data-dir lookup itself) load
the config with `secrets=False`, so they start without the service's environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config.loader import load_config
from pipeline.config.model import AnalysisConfig, RykteConfig
from pipeline.errors import ConfigError
from pipeline.store.db import DataDir, resolve_data_dir

DEFAULT_CONFIG = Path("config/rykte.yaml")


@dataclass
class AppContext:
    config_path: Path | None
    data_dir_option: str | None
    # the loaded config per mode: True = secrets resolved (fit for every use), False = without secrets
    _configs: dict[bool, RykteConfig | None] = field(default_factory=dict, init=False, repr=False)
    _data: DataDir | None = field(default=None, init=False, repr=False)

    def _load(self, secrets: bool) -> RykteConfig | None:
        if True in self._configs:
            return self._configs[True]
        if secrets not in self._configs:
            path = self.config_path or DEFAULT_CONFIG
            found = path.exists() or self.config_path is not None
            self._configs[secrets] = load_config(path, secrets=secrets) if found else None
        return self._configs[secrets]

    def config(self, required: bool = True, *, secrets: bool = True) -> RykteConfig:
        """The validated config; with required=False a missing default file yields defaults.

        `secrets=False` leaves unset `${NAME}` references as written: only for commands that never
        crawl or deliver.
        """
        cfg = self._load(secrets)
        if cfg is None:
            if required:
                raise ConfigError(f"{self.config_path or DEFAULT_CONFIG}: config file not found "
                                  "(pass --config or set RYKTE_CONFIG)")
            return RykteConfig.minimal()
        return cfg

    def has_config(self) -> bool:
        """Whether a config file was found (commands with an optional config then run on defaults)."""
        return self._load(secrets=False) is not None

    @property
    def data(self) -> DataDir:
        """--data-dir / RYKTE_DATA_DIR, else the config's storage.data_dir, else ./data (resolved once)."""
        if self._data is None:
            cfg = None if self.data_dir_option else self._load(secrets=False)
            self._data = resolve_data_dir(self.data_dir_option, cfg.storage.data_dir if cfg else None)
        return self._data

    @property
    def data_dir(self) -> Path:
        return self.data.root

    def analysis_config(self) -> AnalysisConfig:
        return self.config(required=False).analysis

    def override(self, *, config_path: Path | None = None, data_dir: str | None = None) -> None:
        """Options given after the command name (`rykte demo --data-dir D`) win over those before it."""
        if config_path is not None:
            self.config_path = config_path
            self._configs.clear()
        if data_dir is not None:
            self.data_dir_option = data_dir
        self._data = None

    def use_config(self, cfg: RykteConfig) -> None:
        """Install a config built in code (the demo writes its own)."""
        self._configs = {True: cfg}
        self._data = None
