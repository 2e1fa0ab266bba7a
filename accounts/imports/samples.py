"""The downloadable template of each import kind: its columns (required first), one example row, and the
allowed values of every choice column in the reader's language with their codes."""

import csv
import io

from django.utils.translation import gettext as _

from ..models import AccountStatus, Attitude, DecisionRole, ImportKind, Industry, Influence, RelationshipStage
from .accounts import neutralise
from .values import NUMBER_COLUMNS, _default_conventions

EXAMPLES: dict[str, dict[str, str]] = {
    ImportKind.ACCOUNTS: {
        "name": "Aceros del Norte S.A.", "customer_number": "C-10023", "tax_id": "A12345678", "country": "ES",
        "industry": "steel", "region": "Cantabria", "status": "active", "kam_email": "", "sponsor_email": "",
        "parent_tax_id": "", "relationship_stage": "basic"},
    ImportKind.CONTACTS: {
        "name": "Lucía Martín", "account_customer_number": "C-10023", "account_tax_id": "", "account_name": "",
        "account_country": "", "email": "lucia.martin@example.com", "phone": "600 000 000",
        "position": "Purchasing director", "reports_to_email": "", "influence": "3", "attitude": "supporter",
        "decision_role": "decision_maker", "owner_email": "", "last_contact_date": "2026-01-15", "notes": ""},
    ImportKind.FINANCIALS: {
        "month": "2026-01", "revenue": "12500,00", "account_customer_number": "C-10023", "account_tax_id": "",
        "account_name": "", "account_country": "", "cost_of_goods": "8200,00", "cost_to_serve": "650,00"},
}

CHOICES: dict[str, list[tuple[str, list]]] = {
    ImportKind.ACCOUNTS: [("industry", Industry.choices), ("status", AccountStatus.choices),
                          ("relationship_stage", RelationshipStage.choices)],
    ImportKind.CONTACTS: [("influence", [(str(v), label) for v, label in Influence.choices]),
                          ("attitude", Attitude.choices), ("decision_role", DecisionRole.choices)],
    ImportKind.FINANCIALS: [],
}


def columns(kind: str) -> list[str]:
    from .run import COLUMNS

    required, optional = COLUMNS[kind]
    return [*required, *optional]


def example_row(kind: str) -> list[str]:
    """The example in the reader's own convention: amounts with a decimal point for an English reader."""
    point = _default_conventions().decimal == "."
    return [EXAMPLES[kind].get(column, "").replace(",", ".") if point and column in NUMBER_COLUMNS
            else EXAMPLES[kind].get(column, "") for column in columns(kind)]


def allowed_rows(kind: str) -> list[list[str]]:
    """One row per allowed value: column, value as the reader reads it, code; then the notes that apply."""
    rows = [[_("column"), _("value"), _("code")]]
    for column, choices in CHOICES[kind]:
        rows += [[column, str(label), str(code)] for code, label in choices]
    country = "country" if kind == ImportKind.ACCOUNTS else "account_country"
    rows.append([country, _("any country of ISO 3166, by its two-letter code or its name in English or "
                            "Spanish"), "ES, PT, FR, …"])
    rows.append([_("numbers"), _("with a decimal comma (12.500,50) or a decimal point (12,500.50), as you "
                                 "confirm when importing; at most two decimals"), ""])
    rows.append([_("dates"), _("YYYY-MM-DD, or day/month/year or month/day/year with a four-digit year, as "
                               "you confirm when importing; months also as YYYY-MM or MM/YYYY"), ""])
    return rows


def template_csv(kind: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(columns(kind))
    writer.writerow([neutralise(v) for v in example_row(kind)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read it as UTF-8


def allowed_values_csv(kind: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows([[neutralise(v) for v in row] for row in allowed_rows(kind)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(kind: str) -> bytes:
    import openpyxl  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    book = openpyxl.Workbook(write_only=False)
    sheet = book.active
    sheet.title = _("Import")[:31]
    sheet.append(columns(kind))
    sheet.append([neutralise(v) for v in example_row(kind)])
    from .run import COLUMNS

    required = len(COLUMNS[kind][0])
    for cell in sheet[1][:required]:
        cell.font = Font(bold=True)  # the required columns
    values = book.create_sheet(_("Allowed values")[:31])
    for row in allowed_rows(kind):
        values.append([neutralise(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
