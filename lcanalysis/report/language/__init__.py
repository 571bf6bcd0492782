"""The report's words, one module per language (see lcanalysis.report.narrative)."""
