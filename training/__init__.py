"""Training the sentiment adapter and head: not part of the runtime package.

Installed with the `[train]` extra (peft); the wheel ships only the weights and the model card
(`pipeline/analysis/weights/`). `rykte model train` and `rykte model average` import this package
lazily and say how to install it when it is absent. It builds on the runtime's base conversion
(`pipeline.analysis.model.convert`) and labelled-row reader (`pipeline.analysis.model.evaluate`);
the runtime never imports it (import-linter contract in `pyproject.toml`).
"""
