"""Quarterly social-media statistics: reading and checking the files (`quarterly.py`) and importing
them, or showing what an import would do (`importer.py`), for `rykte stats import`.

The comparison of the company's mentions with these figures is read-side code and lives in
`pipeline.store.queries.quarterly`, so the dashboard and the report can use it without this package.
"""
