"""slsguard: find and fix the security risks of serverless applications."""

__version__ = "0.1.0"
