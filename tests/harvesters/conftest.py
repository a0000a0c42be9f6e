import pytest

from harvesters.pagefetch import reset_politeness
from tests.harvesters.site import start_site, stop_site


@pytest.fixture
def site():
    """A local web site on 127.0.0.1 (page tests allow private addresses per test, in their options)."""
    reset_politeness()
    served = start_site()
    yield served
    stop_site(served)
    reset_politeness()
