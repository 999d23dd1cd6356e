"""Dependency manifests and lock files of a function's code, read without running anything.

`slsguard.deps.manifests` is the entry point: `find_manifests` lists the manifest, lock and
vendored-metadata files in a code directory and `parse_manifest` turns one of them into
`Package` values, each with the exact line that pins (or fails to pin) it.
"""
