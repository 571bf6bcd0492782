"""The stages of ``lcanalysis run``: lock, data (demo world, freshness, cleaning),
notebooks in warm kernels, report, privacy gate. The CLI calls
:func:`lcanalysis.pipeline.run.run_pipeline`. This file imports nothing, so that a
notebook kernel importing :mod:`lcanalysis.pipeline.config` (the parameter rules)
does not pay for the runner.

| module | stage |
|---|---|
| :mod:`~lcanalysis.pipeline.config` | config/pipeline.yaml and every notebook's parameters cell, checked before anything runs |
| :mod:`~lcanalysis.pipeline.lock` | one run at a time (``reports/.lock``) |
| :mod:`~lcanalysis.pipeline.data` | demo world when there is no real data; clean when inputs changed |
| :mod:`~lcanalysis.pipeline.execute` | papermill in worker processes, fingerprints, dependencies |
| :mod:`~lcanalysis.pipeline.kernels` | one warm Jupyter kernel per worker, reset between notebooks |
| :mod:`~lcanalysis.pipeline.progress` | the live table and ``run.log`` |
| :mod:`~lcanalysis.pipeline.run` | the run itself: manifest, report, gate, ``reports/latest`` |
"""
