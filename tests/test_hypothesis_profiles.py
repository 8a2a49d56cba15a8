"""The suite's randomness is chosen, not inherited: CI runs Hypothesis derandomised, `make fuzz` does not."""

from __future__ import annotations

import os
import re
from pathlib import Path

from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent


def test_ci_profile_is_derandomised_and_keeps_no_example_database() -> None:
    ci = settings.get_profile("ci")
    assert ci.derandomize is True
    assert ci.database is None


def test_fuzz_profile_searches_at_random_and_longer() -> None:
    fuzz = settings.get_profile("fuzz")
    assert fuzz.derandomize is False
    assert fuzz.max_examples > settings.get_profile("ci").max_examples


def test_the_loaded_profile_is_the_one_asked_for() -> None:
    asked = os.environ.get("HYPOTHESIS_PROFILE", "ci")
    assert settings.default == settings.get_profile(asked)


def test_ci_and_make_select_their_profiles() -> None:
    assert re.search(r"^HYPOTHESIS_PROFILE=ci make test$", (ROOT / ".ci" / "run").read_text(), re.M)
    makefile = (ROOT / "Makefile").read_text()
    assert "export HYPOTHESIS_PROFILE ?= ci" in makefile
    assert "HYPOTHESIS_PROFILE=fuzz" in makefile
