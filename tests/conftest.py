"""Shared fixtures: the default scenario, a seeded generator, hypothesis profiles."""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import calculator

settings.register_profile("ci", derandomize=True, max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture
def default_scenario() -> calculator.Scenario:
    return calculator.Scenario()


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261125)
