"""Demo and benchmark data, kept out of the domain apps: the Gloucester demo
programme (``seed_demo``), the city-scale synthetic programme for the
benchmark (``seed_demo --scale city``, in ``city/``, loaded with ``bulk``'s
COPY) and the benchmark-only admin. It reads every domain app; none reads it.
"""
