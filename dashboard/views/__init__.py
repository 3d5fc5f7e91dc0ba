"""The dashboard pages: one module a page, run by Streamlit navigation (a package so the layering checks see them)."""
