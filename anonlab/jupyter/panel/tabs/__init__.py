"""The panel's tabs: each a small view over the panel's plain values, built with ipywidgets."""
