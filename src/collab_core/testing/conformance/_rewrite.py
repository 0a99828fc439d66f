"""Has pytest rewrite the assertions of the kit's modules, as it does a test module's, so that a
failing comparison in a kit test shows both sides and their difference. The package imports this
before any other of its modules; a module added to the package is included by itself."""

from __future__ import annotations

import pkgutil
import sys

import pytest

_PACKAGE = __name__.rpartition(".")[0]

pytest.register_assert_rewrite(
    *(
        f"{_PACKAGE}.{module.name}"
        for module in pkgutil.iter_modules(sys.modules[_PACKAGE].__path__)
        if f"{_PACKAGE}.{module.name}" not in sys.modules
    )
)
