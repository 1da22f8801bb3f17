"""The benchmark: a synthetic corpus shaped like our graph, a query mix, and side-by-side runs.

Run by hand (``python -m bench.run``); it prints and writes ratios, never asserts on time.
"""
