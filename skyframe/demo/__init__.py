"""Demo data for trying SkyFrame and for benchmarks: development tooling,
used by `flask seed-demo`, the benchmarks and the tests, never by a request."""
