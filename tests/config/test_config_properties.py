"""Property test: any config text (YAML of any shape, or not YAML at all) gives a config or one
ConfigError line naming file:line, never another exception."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config.loader import parse_config
from pipeline.errors import ConfigError

SCALAR = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=15)
KEYS = st.sampled_from(["company", "sources", "name", "type", "options", "schedule", "base_url", "aliases",
                        "responses", "sla_hours", "analysis", "storage", "alerts", "feeds", "max_pages"])
TREE = st.recursive(SCALAR, lambda k: st.lists(k, max_size=3) | st.dictionaries(KEYS | st.text(max_size=6), k,
                                                                                max_size=4), max_leaves=15)
SOURCE = st.fixed_dictionaries({"name": st.text(max_size=8), "type": st.sampled_from(
    ["news", "reddit", "web", "mastodon", "bluesky", "trustpilot", "hackernews", "linkedin", "x"])},
    optional={"options": TREE, "schedule": SCALAR, "base_url": SCALAR})
CONFIG = st.fixed_dictionaries({"company": st.fixed_dictionaries({"name": st.text(max_size=10)})},
                               optional={"sources": st.lists(SOURCE, max_size=3), "responses": TREE})


@settings(max_examples=150, deadline=None)
@given(st.one_of(CONFIG.map(lambda d: yaml.safe_dump(d, allow_unicode=True)), TREE.map(yaml.safe_dump),
                 st.text(max_size=80)))
def test_any_config_text_is_a_config_or_one_config_error(text: str) -> None:
    try:
        parse_config(text, "rykte.yaml", env={})
    except ConfigError as exc:
        message = str(exc)
        assert message.startswith("rykte.yaml") and "\n" not in message.strip(), message


def test_a_control_character_is_one_line_with_its_line_number() -> None:
    try:
        parse_config("company:\n  name: x\n\x1f\n", "rykte.yaml", env={})
    except ConfigError as exc:
        assert str(exc).startswith("rykte.yaml:3: invalid YAML:") and "\n" not in str(exc)
    else:
        raise AssertionError("a control character was accepted")
