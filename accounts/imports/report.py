"""What an import reports back, kept on its job: the counts and the errors grouped by message.

A file whose 55,379 rows name no known account must not become a page of 55,379 identical lines: rows
that share a message become one group with its count and its first lines, and only the first groups are
kept, so a report stays a few kilobytes whatever the file.
"""

from .reading import ImportResult

# Groups kept per report, lines kept per group, and characters kept of a message (one quotes the cell,
# which may hold up to 128 KB).
MAX_GROUPS = 50
MAX_LINES = 20
MAX_MESSAGE = 300


def error_groups(errors) -> tuple[list[dict], int]:
    """The errors (RowError: a line and its messages) grouped by message, in the order each message first
    appears: [{"message", "count", "lines"}], at most MAX_GROUPS of them with MAX_LINES lines each, and
    the number of groups left out."""
    groups: dict[str, dict] = {}
    for error in errors:
        for message in error.messages:
            text = str(message)
            shown = text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 1] + "…"
            group = groups.setdefault(text, {"message": shown, "count": 0, "lines": []})
            group["count"] += 1
            if len(group["lines"]) < MAX_LINES:
                group["lines"].append(error.line)
    kept = list(groups.values())
    return kept[:MAX_GROUPS], max(0, len(kept) - MAX_GROUPS)


def result_report(result: ImportResult) -> dict:
    """The result as plain JSON for the job: the rows, each count, the file's error or the row errors."""
    groups, groups_left_out = error_groups(result.errors)
    return {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": getattr(result, "unchanged", 0),
        "overwritten": getattr(result, "overwritten", 0),
        "file_error": result.file_error,
        "rows_with_errors": result.error_count or len(result.errors),
        # Rows past the errors kept per import (reading.MAX_KEPT_ERRORS): counted, not grouped.
        "rows_not_listed": result.errors_not_kept,
        "proposed": ({"decimal": result.proposed.decimal, "dates": result.proposed.dates}
                     if result.proposed is not None else None),
        "error_groups": groups,
        "groups_left_out": groups_left_out,
        "stored_state": result.stored_state,
    }
