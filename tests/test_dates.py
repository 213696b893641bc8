"""Dates at their precision: parsing, display, ranges and before/after publication."""

import datetime as dt

import pytest

from factsite.dates import Window, display_range, parse_date, publication_window, relation


@pytest.mark.parametrize(
    "text, shown, iso",
    [
        ("2025", "2025", "2025"),
        ("2025-05", "May 2025", "2025-05"),
        ("2025-05-06", "6 May 2025", "2025-05-06"),
        ("~2025-03", "about March 2025", "2025-03"),
    ],
)
def test_parse_and_display(text, shown, iso):
    date = parse_date(text)
    assert (date.display(), date.iso(), date.source_text()) == (shown, iso, text)


def test_unknown_is_none():
    assert parse_date("unknown") is None


@pytest.mark.parametrize(
    "text, message",
    [
        ("2025/05/06", "'2025/05/06' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2025-13", "'2025-13' is not a real date (month must be in 1..12)"),
        ("2024-02-30", "'2024-02-30' is not a real date (day is out of range for month)"),
    ],
)
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


def test_relation_to_a_day():
    window = publication_window(parse_date("2025-08-22"), None, None)
    d = parse_date
    assert relation(d("2025-08-21"), None, window) == "before"
    assert relation(d("2025-08-22"), None, window) == "around"
    assert relation(d("2025-08"), None, window) == "around"
    assert relation(d("2025-08-27"), None, window) == "after"
    assert relation(d("2025-08-19"), d("2025-08-23"), window) == "around"


def test_only_a_lower_bound_leaves_later_events_open_not_after_publication():
    # Criptospia: unknown date, not before the FT's report of 14 August 2025.
    window = publication_window(None, parse_date("2025-08-14"), None)
    assert window == Window(earliest=dt.date(2025, 8, 14), latest=None)
    assert relation(parse_date("2025-08-13"), None, window) == "before"
    assert relation(parse_date("2025-08-14"), None, window) == "around"
    assert relation(parse_date("2025-08-19"), parse_date("2025-08-21"), window) == "later"


def test_a_month_date_honours_its_bounds_inside_the_month():
    # Punto Informatico: January 2025, not before Wang's interview of 23 January.
    window = publication_window(parse_date("2025-01"), parse_date("2025-01-23"), None)
    assert window == Window(earliest=dt.date(2025, 1, 23), latest=dt.date(2025, 1, 31))
    assert relation(parse_date("2025-01-20"), None, window) == "before"  # R1's release
    assert relation(parse_date("2025-01-23"), None, window) == "around"  # the interview itself
    assert relation(parse_date("2025-01-27"), None, window) == "around"
    assert relation(parse_date("2025-02-01"), None, window) == "after"


def test_an_upper_bound_alone_closes_the_window_at_the_top():
    window = publication_window(None, None, parse_date("2025-08-31"))
    assert relation(parse_date("2025-09-02"), None, window) == "after"
    assert relation(parse_date("2025-08-01"), None, window) == "around"
    assert publication_window(None, None, None) is None
