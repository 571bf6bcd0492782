"""Figures for the report and the poster: house style, sv/en labels, charts, saving.

``style`` holds the colour-blind-safe palette with KTH blue, fonts, the synthetic-data
mark and :func:`save_figure` (PNG 300 dpi, SVG with text kept as text, PDF with
embedded TrueType fonts, metadata with run id and source); ``labels`` the one
translation table and Swedish/English number formats; ``charts`` the chart catalogue;
``writer`` the background figure writer of a kernel, and ``drawn`` the figures it (and
the notebook's inline display) drew before.
Import the submodules you need, e.g. ``from lcanalysis.plots import charts``:
matplotlib is only imported when a figure is drawn.
"""
