"""Dates at their precision: parsing, display, ranges and before/after publication."""

import datetime as dt

import pytest

from factsite.dates import display_range, parse_date, relation


@pytest.mark.parametrize("text, shown, iso", [
    ("2025", "2025", "2025"),
    ("2025-05", "May 2025", "2025-05"),
    ("2025-05-06", "6 May 2025", "2025-05-06"),
    ("~2025-03", "about March 2025", "2025-03"),
])
def test_parse_and_display(text, shown, iso):
    date = parse_date(text)
    assert (date.display(), date.iso(), date.source_text()) == (shown, iso, text)


def test_unknown_is_none():
    assert parse_date("unknown") is None


@pytest.mark.parametrize("text, message", [
    ("2025/05/06", "'2025/05/06' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"),
    ("2025-13", "'2025-13' is not a real date (month must be in 1..12)"),
    ("2024-02-30", "'2024-02-30' is not a real date (day is out of range for month)"),
])
def test_malformed_dates(text, message):
    with pytest.raises(ValueError) as err:
        parse_date(text)
    assert str(err.value).startswith(message)


def test_interval_bounds():
    assert (parse_date("2024-02").earliest(), parse_date("2024-02").latest()) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert parse_date("2025").latest() == dt.date(2025, 12, 31)


def test_ranges_print_compactly():
    d = parse_date
    assert display_range(d("2025-08-19"), d("2025-08-21")) == "19–21 August 2025"
    assert display_range(d("2025-07-14"), d("2025-08-15")) == "14 July – 15 August 2025"
    assert display_range(d("2025-05"), d("2025-06")) == "May 2025 – June 2025"
    assert display_range(d("2025-05"), None) == "May 2025"


def test_relation_to_a_publication_window():
    window = (dt.date(2025, 8, 22), dt.date(2025, 8, 22))
    d = parse_date
    assert relation(d("2025-08-21"), None, *window) == "before"
    assert relation(d("2025-08-22"), None, *window) == "around"
    assert relation(d("2025-08"), None, *window) == "around"
    assert relation(d("2025-08-27"), None, *window) == "after"
    assert relation(d("2025-08-19"), d("2025-08-23"), *window) == "around"
