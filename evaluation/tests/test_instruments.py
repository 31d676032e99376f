from decimal import Decimal

import pytest

from evaluation import instruments


@pytest.mark.parametrize(
    ("raw", "metric"),
    [
        (7, "7.00"),
        (8, "9.51"),
        (14, "15.32"),
        (21, "19.25"),
        (28, "25.03"),
        (29, "26.02"),
        (34, "32.55"),
        (35, "35.00"),
    ],
)
def test_swemwbs_raw_totals_convert_with_the_published_table(raw, metric):
    assert instruments.swemwbs_metric(raw) == Decimal(metric)


def test_swemwbs_raw_total_is_the_sum_of_seven_answers():
    assert instruments.swemwbs_raw([1, 2, 3, 4, 5, 4, 3]) == 22
    assert instruments.swemwbs_metric(22) == Decimal("19.98")


@pytest.mark.parametrize(
    "answers", [[3] * 6, [3] * 8, [0, 3, 3, 3, 3, 3, 3], [6, 3, 3, 3, 3, 3, 3]]
)
def test_swemwbs_refuses_anything_but_seven_answers_from_1_to_5(answers):
    with pytest.raises(ValueError, match="seven answers"):
        instruments.swemwbs_raw(answers)


@pytest.mark.parametrize("raw", [6, 36])
def test_swemwbs_metric_refuses_raw_totals_outside_7_to_35(raw):
    with pytest.raises(ValueError, match="from 7 to 35"):
        instruments.swemwbs_metric(raw)


def test_the_table_has_all_29_raw_totals():
    assert [
        row["raw"] for row in instruments.instruments()["swemwbs"]["raw_to_metric"]
    ] == list(range(7, 36))


@pytest.mark.parametrize(
    ("key", "score", "band"),
    [
        ("life_satisfaction", 0, "low"),
        ("life_satisfaction", 4, "low"),
        ("life_satisfaction", 5, "medium"),
        ("worthwhile", 6, "medium"),
        ("worthwhile", 7, "high"),
        ("happiness", 8, "high"),
        ("happiness", 9, "very high"),
        ("happiness", 10, "very high"),
        ("anxiety", 0, "very low"),
        ("anxiety", 1, "very low"),
        ("anxiety", 2, "low"),
        ("anxiety", 3, "low"),
        ("anxiety", 4, "medium"),
        ("anxiety", 5, "medium"),
        ("anxiety", 6, "high"),
        ("anxiety", 10, "high"),
    ],
)
def test_ons4_answers_fall_in_ons_bands(key, score, band):
    assert instruments.ons4_band(key, score) == band


@pytest.mark.parametrize(
    ("key", "score"), [("anxiety", 11), ("happiness", -1), ("mood", 5)]
)
def test_ons4_band_refuses_bad_answers(key, score):
    with pytest.raises(ValueError, match="ONS4"):
        instruments.ons4_band(key, score)
