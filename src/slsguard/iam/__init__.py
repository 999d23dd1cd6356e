"""IAM policy helpers: SAM policy templates and policy-statement analysis."""
