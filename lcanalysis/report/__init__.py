"""From indicator tables and figures to a run's deliverables.

``tables`` exports audited tables as CSV, one Excel workbook and accessible HTML;
the papermill runner, manifest, report assembly and privacy gate live beside it.
"""
