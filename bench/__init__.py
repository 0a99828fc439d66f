"""The benchmarks of ``nox -s bench``: every scenario beside its raw floor, in the same run.

See ``bench/README.md`` for how to read the table and the log of each optimisation.
"""
