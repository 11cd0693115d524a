"""The core: pure functions on plain data. No I/O here: no files, network, environment or clock.

`tests/unit/test_domain_purity.py` reads the imports of every module below this folder and fails on
anything that does I/O.
"""
