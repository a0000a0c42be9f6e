from tests.harvesters.site import site  # noqa: F401  (the local web site fixture, shared with tests/harvesters)
