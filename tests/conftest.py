"""Test-suite settings shared by every test module.

Under CI (the environment variable CI is set, as `.ci/run` has it) hypothesis runs
derandomized: the same examples every run, so a submission's result does not depend
on the day's random seed. Locally it explores new examples each run, which is how the
separator-detection edge cases in tests/ingest were found; such finds are then pinned
with ``@example``.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
# `make test-fast` (--hypothesis-profile=fast): property tests try 25 examples instead of
# 100, and those that set their own max_examples a quarter of it (tests/fixtures/examples.py);
# `make test` tries them all.
settings.register_profile("fast", settings.get_profile("ci" if os.environ.get("CI") else "default"),
                          max_examples=25)
if os.environ.get("CI"):
    settings.load_profile("ci")
