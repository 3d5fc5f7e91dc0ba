"""Taxonomies shared by every stage: for now the aspects of employer criticism (`aspects.py`).

A leaf package: it imports nothing else from the pipeline, so the analysis stage, the reply-quality
score, the alerts and the report can all use it. Display names are in the message catalogue
(`pipeline/i18n/aspects.yaml`), never here.
"""
