"""The Streamlit layer: the only package that imports streamlit.

Each view is a function ``<name>_ui(run: Run) -> None`` in its own module;
``app.py`` lays them out. Views only call the core and the figure builders.
"""
