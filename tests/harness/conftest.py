from tests.sync.conftest import cloud_config  # noqa: F401  (test_simulate's fixture, as in tests/sync)
