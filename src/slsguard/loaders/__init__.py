"""Format loaders: each turns files into the one app model (slsguard.model)."""
