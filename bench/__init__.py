"""Benchmarks: the project's figures beside raw baselines measured in the same run.

`make bench` runs `python -m bench.run`; BENCHMARKS.md says what is measured and how.
"""
