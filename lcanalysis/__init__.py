"""lcanalysis: evaluation toolkit for KTH's learning-centre pilot.

Raw exports (Ladok, admissions, learning-centre lists, surveys, follow-ups, SCB
municipal statistics) are cleaned into pseudonymised, validated tables; indicator
functions and parameterised notebooks turn those into the report and poster figures.
Heavy libraries are imported where they are used so that the CLI starts fast.
"""

__version__ = "0.1.0"
