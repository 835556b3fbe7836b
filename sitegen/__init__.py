"""sitegen: static sites for village 三务公开 (party, village and finance affairs) on cable TV and phones."""

__version__ = "0.1.0"
