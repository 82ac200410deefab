"""Court filings, the clerk's workbook, the summary, the audit log and the manifest of an export packet."""
