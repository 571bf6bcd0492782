"""Test-suite settings shared by every test module.

Under CI (the environment variable CI is set, as `.ci/run` has it) hypothesis runs
derandomized: the same examples every run, so a submission's result does not depend
on the day's random seed. Locally it explores new examples each run, which is how the
separator-detection edge cases in tests/ingest were found; such finds are then pinned
with ``@example``.
"""

import os

from hypothesis import settings

CI = bool(os.environ.get("CI"))

# No deadline (hypothesis's default is 200 ms an example): with a pytest worker on each
# core, a kernel or a benchmark beside them, a first example can take 300 ms once and 1 ms
# when hypothesis tries it again, which it then reports as a flaky failure. How long an
# example takes is not what these tests check.
settings.register_profile("local", deadline=None)
settings.register_profile("ci", settings.get_profile("local"), derandomize=True, print_blob=True)
# `make test-fast` (--hypothesis-profile=fast): property tests try 25 examples instead of
# 100, and those that set their own max_examples a quarter of it (tests/fixtures/examples.py);
# `make test` tries them all.
settings.register_profile("fast", settings.get_profile("ci" if CI else "local"), max_examples=25)
settings.load_profile("ci" if CI else "local")
