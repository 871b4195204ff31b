"""Streamlit glue shared by pages. May import streamlit; never imported by core/."""
