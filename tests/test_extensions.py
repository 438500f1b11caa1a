"""The features the bot loads are an explicit list: each loads, and no feature module is left out of it."""

from __future__ import annotations

import importlib
import pkgutil

import cogs
from bot.client import EXTENSIONS


def test_every_listed_extension_has_a_setup() -> None:
    for name in EXTENSIONS:
        assert callable(getattr(importlib.import_module(name), "setup", None)), name


def test_every_feature_module_is_listed_and_helpers_are_not_loaded() -> None:
    modules = [m.name for m in pkgutil.iter_modules(cogs.__path__, prefix="cogs.") if not m.ispkg]
    features = {name for name in modules if hasattr(importlib.import_module(name), "setup")}
    assert features == set(EXTENSIONS)
    assert "cogs.ui" not in EXTENSIONS  # shared UI, not a feature
