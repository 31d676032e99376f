"""The wellbeing instruments, read from evaluation/data/wellbeing_instruments.json:
SWEMWBS (seven items, raw total converted to a metric score with the
published table) and ONS4 (four separate 0 to 10 scores with ONS's bands).

ONS4's four scores measure different things and are never added together.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "wellbeing_instruments.json"

ONS4_KEYS = ("life_satisfaction", "worthwhile", "happiness", "anxiety")


@cache
def instruments() -> dict:
    return json.loads(DATA.read_text())


def swemwbs_items() -> list[dict]:
    return instruments()["swemwbs"]["items"]


def swemwbs_options() -> list[tuple[int, str]]:
    return [
        (o["value"], o["label"]) for o in instruments()["swemwbs"]["response_options"]
    ]


@cache
def _raw_to_metric() -> dict[int, Decimal]:
    return {
        row["raw"]: Decimal(str(row["metric"])).quantize(Decimal("0.01"))
        for row in instruments()["swemwbs"]["raw_to_metric"]
    }


def swemwbs_raw(answers: list[int]) -> int:
    """The raw total of the seven answers (each 1 to 5)."""
    if len(answers) != 7 or any(a not in (1, 2, 3, 4, 5) for a in answers):
        raise ValueError("SWEMWBS needs seven answers, each from 1 to 5.")
    return sum(answers)


def swemwbs_metric(raw: int) -> Decimal:
    """The metric score for a raw total from 7 to 35, from the conversion
    table (the metric scale is what studies compare)."""
    table = _raw_to_metric()
    if raw not in table:
        raise ValueError("A SWEMWBS raw total is from 7 to 35.")
    return table[raw]


def ons4_questions() -> list[dict]:
    return instruments()["ons4"]["questions"]


def ons4_band(key: str, score: int) -> str:
    """ONS's threshold band for one ONS4 answer: anxiety has its own bands
    (where low is good); the other three share theirs."""
    if key not in ONS4_KEYS:
        raise ValueError(f"Unknown ONS4 question: {key}")
    if not 0 <= score <= 10:
        raise ValueError("An ONS4 answer is from 0 to 10.")
    thresholds = instruments()["ons4"]["thresholds"]
    bands = (
        thresholds["anxiety"]
        if key == "anxiety"
        else thresholds["life_satisfaction|worthwhile|happiness"]
    )
    for band in bands:
        if band["min"] <= score <= band["max"]:
            return band["band"]
    raise ValueError(f"No band for {key} {score}")  # pragma: no cover


def ons4_bands(key: str) -> list[str]:
    thresholds = instruments()["ons4"]["thresholds"]
    bands = (
        thresholds["anxiety"]
        if key == "anxiety"
        else thresholds["life_satisfaction|worthwhile|happiness"]
    )
    return [band["band"] for band in bands]
