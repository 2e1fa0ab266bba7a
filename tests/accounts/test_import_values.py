"""Numbers and dates as spreadsheets export them, read under the file's stated conventions: each text is
read one way or refused, never guessed."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from accounts.imports.values import (
    Cell,
    Conventions,
    ValueRefused,
    allowed_values,
    parse_choice,
    parse_country,
    parse_date,
    parse_month,
    parse_number,
    propose_conventions,
)
from accounts.models import Industry

COMMA, POINT = ",", "."

# (exported text, decimal mark, value or None when refused); where it comes from in the comment.
NUMBERS = [
    # The cases.
    ("12.500", COMMA, Decimal("12500")),          # Excel ES, thousands grouped
    ("12.500", POINT, Decimal("12.5")),           # Excel EN, three decimals all zero after the cents
    ("12,500", POINT, Decimal("12500")),          # Excel EN / Google Sheets CSV "12,500"
    ("12,500", COMMA, Decimal("12.5")),
    ("1.234,00", COMMA, Decimal("1234")),
    ("1,234.00", POINT, Decimal("1234")),
    ("1.234,00", POINT, None),                    # the other convention's text is refused, not guessed
    ("1,234.00", COMMA, None),
    # Excel / LibreOffice in Spanish.
    ("1234,56", COMMA, Decimal("1234.56")),
    ("12,5", COMMA, Decimal("12.5")),
    ("1.234.567,89", COMMA, Decimal("1234567.89")),
    ("1 234,56", COMMA, Decimal("1234.56")),      # LibreOffice with a space
    ("1\u00a0234,56", COMMA, Decimal("1234.56")),  # non-breaking space
    ("1\u202f234,56", COMMA, Decimal("1234.56")),  # narrow non-breaking space (CLDR French/Spanish)
    ("1.234,56 €", COMMA, Decimal("1234.56")),    # currency format, symbol after
    ("-1.234,56 €", COMMA, Decimal("-1234.56")),
    ("1.234,56 EUR", COMMA, Decimal("1234.56")),
    ("(1.234,56)", COMMA, Decimal("-1234.56")),   # accounting format
    ("1234,56-", COMMA, Decimal("-1234.56")),     # trailing minus (ERP exports)
    ("0,5", COMMA, Decimal("0.5")),
    ("1234", COMMA, Decimal("1234")),
    # Excel / Google Sheets in English.
    ("1234.56", POINT, Decimal("1234.56")),
    ("1,234,567.89", POINT, Decimal("1234567.89")),
    ("$1,234.56", POINT, Decimal("1234.56")),
    ("-$1,234.56", POINT, Decimal("-1234.56")),
    ("($1,234.56)", POINT, Decimal("-1234.56")),
    ("£1,234.56", POINT, Decimal("1234.56")),
    ("€1,234.56", POINT, Decimal("1234.56")),
    ("USD 1,234.56", POINT, Decimal("1234.56")),
    ("+12.5", POINT, Decimal("12.5")),
    ("", POINT, Decimal("0")),
    # Refused: unreadable under the convention, or more decimals than cents.
    ("1,234.5", COMMA, None),
    ("12.50.0", COMMA, None),
    ("12.50.0", POINT, None),
    ("1.23", COMMA, None),                        # a point groups thousands only in threes
    ("12,5", POINT, None),
    ("1,23,456.00", POINT, None),                 # Indian grouping
    ("1234,567", COMMA, None),                    # three decimals that are not zeros
    ("12.345", POINT, None),
    ("1e5", POINT, None),
    ("NaN", POINT, None),
    ("mil", COMMA, None),
    ("12 5", COMMA, None),                        # a space groups in threes too
    ("--12", POINT, None),
    ("=1+2", POINT, None),
]


@pytest.mark.parametrize("text, decimal, expected", NUMBERS)
def test_numbers_as_spreadsheets_export_them(text, decimal, expected):
    if expected is None:
        with pytest.raises(ValueRefused):
            parse_number(text, decimal=decimal)
    else:
        assert parse_number(text, decimal=decimal) == expected


def test_the_programmes_currency_symbol_is_accepted():
    assert parse_number("CHF 1'234.50".replace("'", ","), decimal=POINT, currency=("CHF",)) == Decimal("1234.5")
    with pytest.raises(ValueRefused):
        parse_number("CHF 12", decimal=POINT)


def test_a_typed_spreadsheet_number_is_not_read_again_as_text():
    # An XLSX cell holding 12.5 is 12.5 under either convention; 12500 stays 12500.
    assert parse_number(Cell(12.5), decimal=COMMA) == Decimal("12.5")
    assert parse_number(Cell(12500), decimal=POINT) == Decimal("12500")
    assert str(Cell(1001.0)) == "1001"  # a customer number typed as a number reads as its digits
    with pytest.raises(ValueRefused, match="more than 2 decimals"):
        parse_number(Cell(0.125), decimal=COMMA)


def test_more_decimals_than_the_field_is_an_error_not_a_rounding():
    with pytest.raises(ValueRefused, match="more than 2 decimals"):
        parse_number("10,125", decimal=COMMA)
    assert parse_number("10,125", decimal=COMMA, places=3) == Decimal("10.125")


DATES = [
    ("2024-03-25", "dmy", datetime.date(2024, 3, 25)),   # ISO always
    ("2024-03-25", "mdy", datetime.date(2024, 3, 25)),
    ("2024-03-25 00:00:00", "dmy", datetime.date(2024, 3, 25)),  # a date cell written by pandas/LibreOffice
    ("25/03/2024", "dmy", datetime.date(2024, 3, 25)),   # Excel ES
    ("25-03-2024", "dmy", datetime.date(2024, 3, 25)),   # LibreOffice ES
    ("25.03.2024", "dmy", datetime.date(2024, 3, 25)),
    ("5/3/2024", "dmy", datetime.date(2024, 3, 5)),
    ("03/25/2024", "mdy", datetime.date(2024, 3, 25)),   # Excel EN (US) / Google Sheets
    ("3/5/2024", "mdy", datetime.date(2024, 3, 5)),
    ("2024/03/25", "ymd", datetime.date(2024, 3, 25)),
    ("03/25/2024", "dmy", None),                        # no month 25
    ("25/03/2024", "mdy", None),
    ("25/03/24", "dmy", None),                          # two-digit years are refused
    ("3/5/24", "mdy", None),
    ("31/02/2024", "dmy", None),
    ("yesterday", "dmy", None),
]


@pytest.mark.parametrize("text, order, expected", DATES)
def test_dates_as_spreadsheets_export_them(text, order, expected):
    if expected is None:
        with pytest.raises(ValueRefused):
            parse_date(text, dates=order)
    else:
        assert parse_date(text, dates=order) == expected


@pytest.mark.parametrize("text, expected", [
    ("2024-03", datetime.date(2024, 3, 1)),
    ("03/2024", datetime.date(2024, 3, 1)),
    ("3/2024", datetime.date(2024, 3, 1)),
    ("25/03/2024", datetime.date(2024, 3, 1)),
    ("2024-03-25", datetime.date(2024, 3, 1)),
    (Cell(datetime.datetime(2024, 3, 1)), datetime.date(2024, 3, 1)),  # an XLSX date cell
])
def test_month_columns(text, expected):
    assert parse_month(text, dates="dmy") == expected


@pytest.mark.parametrize("text", ["13/2024", "2024-13", "03/24", "marzo"])
def test_month_columns_refuse(text):
    with pytest.raises(ValueRefused):
        parse_month(text, dates="dmy")


def _rows(column, *values):
    return [(i + 2, {column: v}) for i, v in enumerate(values)]


@pytest.mark.parametrize("values, expected", [
    (("1.234,56", "12"), Conventions(",", "dmy")),
    (("12,5",), Conventions(",", "dmy")),
    (("1,234.56",), Conventions(".", "dmy")),
    (("12.5", "3"), Conventions(".", "dmy")),
])
def test_the_file_proposes_its_decimal_mark(values, expected):
    with translation.override("es"):
        assert propose_conventions(["revenue"], _rows("revenue", *values)).decimal == expected.decimal


def test_the_file_proposes_its_date_order_else_the_readers_language():
    assert propose_conventions(["month"], _rows("month", "03/25/2024", "04/01/2024")).dates == "mdy"
    assert propose_conventions(["month"], _rows("month", "25/03/2024")).dates == "dmy"
    with translation.override("es"):
        assert propose_conventions(["month"], _rows("month", "01/02/2024")) == Conventions(",", "dmy")
    with translation.override("en"):
        assert propose_conventions(["revenue"], _rows("revenue", "12.500")) == Conventions(".", "mdy")


@pytest.mark.parametrize("text, code", [
    ("ES", "ES"), ("es", "ES"), ("Spain", "ES"), ("España", "ES"), ("espana", "ES"), ("ESPAÑA", "ES"),
    ("Germany", "DE"), ("Alemania", "DE"), ("Perú", "PE"), ("United Kingdom", "GB"), ("Reino Unido", "GB"),
])
def test_countries_by_code_or_name_in_english_or_spanish(text, code):
    assert parse_country(text) == code


@pytest.mark.parametrize("text", ["XX", "", "Narnia", "ESP"])
def test_unknown_countries_are_refused(text):
    with pytest.raises(ValueRefused, match="ISO 3166"):
        parse_country(text)


@pytest.mark.parametrize("text", ["mining", "MINING", "Mining", "Minería", "mineria", " minería "])
def test_choices_by_code_or_label_in_either_language(text):
    assert parse_choice(text, Industry.choices) == Industry.MINING


def test_a_refused_choice_lists_the_labels_in_the_readers_language():
    with translation.override("es"):
        with pytest.raises(ValueRefused) as refused:
            parse_choice("mineral", Industry.choices)
        assert "Minería (mining)" in str(refused.value)
        assert "Minería (mining)" in allowed_values(Industry.choices)
