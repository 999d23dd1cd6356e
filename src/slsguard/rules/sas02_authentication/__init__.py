"""Rules of the Serverless Top 10 category in this folder's name."""
