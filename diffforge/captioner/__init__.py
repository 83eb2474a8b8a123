"""Captions from scene-graph diffs: referring expressions, change templates, guarded LLM rewrites.

Modules: ``referring`` (unique descriptions of objects in one image), ``compose`` (one sentence
group per change, N captions per pair), ``rewrite`` (backends none/openai/transformers and the
fact guard), ``api`` (recaption a dataset directory atomically), ``stats``, ``export``, and
``cli`` (plain functions behind the caption/stats/export/bench commands).
"""
