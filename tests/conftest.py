"""Shared pytest configuration: small thread pools and the location of the real data."""

import os
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

def _data_root():
    from skmedtext.datasets import get_data_home

    return get_data_home()


def pytest_configure(config):
    try:
        import torch

        torch.set_num_threads(2)
    except ImportError:  # pragma: no cover
        pass


@pytest.fixture(scope="session")
def data_root():
    root = _data_root()
    if not root.is_dir():
        pytest.skip(f"real data not found at {root}; set SKMEDTEXT_DATA")
    return root
