"""Keras Lens core: everything that computes. This package never imports streamlit.

Modules that need TensorFlow import it lazily (inside functions), so that pages and tests
that only need NumPy registries, configs or i18n stay fast and never pay TensorFlow's
3-4 s import.
"""
