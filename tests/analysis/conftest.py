import pytest

from listening.models import Rater
from tests.analysis.test_report_view import cast, one_utterance_test


@pytest.fixture
def voted(db):
    """One clip, two systems, three panel votes each: gating 4, 5, 3 and noisy input 2, 1, 2."""
    test = one_utterance_test(3)
    cast(test, Rater.Platform.PANEL, {"gating": [4, 5, 3], "noisy input": [2, 1, 2]})
    return test
