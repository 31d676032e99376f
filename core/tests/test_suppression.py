import pytest

from core.suppression import FEWER_THAN, is_suppressed, suppress


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, "fewer than 5"),
        (1, "fewer than 5"),
        (4, "fewer than 5"),
        (5, "5"),
        (1234, "1,234"),
        (None, "fewer than 5"),
    ],
)
def test_counts_under_five_show_as_fewer_than_five(count, shown):
    assert suppress(count) == shown


def test_the_threshold_can_be_given():
    assert suppress(2, threshold=3) == "fewer than 3"
    assert suppress(3, threshold=3) == "3"
    assert is_suppressed(4) and not is_suppressed(5)
    assert FEWER_THAN == "fewer than 5"
