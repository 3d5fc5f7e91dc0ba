"""What every command needs: the data directory and the (lazily loaded) configuration.

Built once by the CLI from `--config`/`RYKTE_CONFIG` and `--data-dir`/`RYKTE_DATA_DIR` (click reads
the environment, so no module calls `os.getenv`). Commands for which SPEC §2 makes the config
optional get `RykteConfig.minimal()` when the file is absent.
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
    _config: RykteConfig | None = field(default=None, init=False, repr=False)
    _config_loaded: bool = field(default=False, init=False, repr=False)

    def config(self, required: bool = True) -> RykteConfig:
        """The validated config; with required=False a missing default file yields defaults."""
        if not self._config_loaded:
            path = self.config_path or DEFAULT_CONFIG
            if path.exists() or self.config_path is not None:
                self._config = load_config(path)
            self._config_loaded = True
        if self._config is None:
            if required:
                raise ConfigError(f"{self.config_path or DEFAULT_CONFIG}: config file not found "
                                  "(pass --config or set RYKTE_CONFIG)")
            return RykteConfig.minimal()
        return self._config

    def has_config(self) -> bool:
        """Whether a config file was found (commands with an optional config then run on defaults)."""
        self.config(required=False)
        return self._config is not None

    @property
    def data(self) -> DataDir:
        cfg = self._config if self._config_loaded else None
        return resolve_data_dir(self.data_dir_option, cfg.storage.data_dir if cfg else None)

    @property
    def data_dir(self) -> Path:
        return self.data.root

    def analysis_config(self) -> AnalysisConfig:
        return self.config(required=False).analysis

    def override(self, *, config_path: Path | None = None, data_dir: str | None = None) -> None:
        """Options given after the command name (`rykte demo --data-dir D`) win over those before it."""
        if config_path is not None:
            self.config_path, self._config, self._config_loaded = config_path, None, False
        if data_dir is not None:
            self.data_dir_option = data_dir

    def use_config(self, cfg: RykteConfig) -> None:
        """Install a config built in code (the demo writes its own)."""
        self._config, self._config_loaded = cfg, True
