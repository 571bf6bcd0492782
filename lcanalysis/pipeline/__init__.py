"""The stages of ``lcanalysis run``: lock, data (demo world, freshness, cleaning),
notebooks in warm kernels, report, privacy gate. The CLI calls :func:`run_pipeline`.

| module | stage |
|---|---|
| :mod:`~lcanalysis.pipeline.lock` | one run at a time (``reports/.lock``) |
| :mod:`~lcanalysis.pipeline.data` | demo world when there is no real data; clean when inputs changed |
| :mod:`~lcanalysis.pipeline.execute` | papermill in worker processes, fingerprints, dependencies |
| :mod:`~lcanalysis.pipeline.kernels` | one warm Jupyter kernel per worker, reset between notebooks |
| :mod:`~lcanalysis.pipeline.progress` | the live table and ``run.log`` |
| :mod:`~lcanalysis.pipeline.run` | the run itself: manifest, report, gate, ``reports/latest`` |
"""

from lcanalysis.pipeline.lock import RunLocked
from lcanalysis.pipeline.run import RunResult, run_pipeline

__all__ = ["RunLocked", "RunResult", "run_pipeline"]
