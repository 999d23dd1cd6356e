"""SAS-3 Insecure serverless deployment configuration."""

# One module per rule; RULES lists them in id order.

from slsguard.rules.base import Rule
from slsguard.rules.sas03_deployment.sls0301_bucket_public_acl import bucket_public_acl
from slsguard.rules.sas03_deployment.sls0302_bucket_policy_public import bucket_policy_public
from slsguard.rules.sas03_deployment.sls0303_bucket_public_access_block import (
    bucket_public_access_block,
)
from slsguard.rules.sas03_deployment.sls0304_bucket_default_encryption import (
    bucket_default_encryption,
)
from slsguard.rules.sas03_deployment.sls0305_bucket_tls_not_enforced import (
    bucket_tls_not_enforced,
)
from slsguard.rules.sas03_deployment.sls0306_store_unencrypted import store_unencrypted
from slsguard.rules.sas03_deployment.sls0307_deployment_bucket import deployment_bucket
from slsguard.rules.sas03_deployment.sls0308_public_bucket_shared import public_bucket_shared
from slsguard.rules.sas03_deployment.sls0309_cors_any_origin_credentials import (
    cors_any_origin_with_credentials,
)
from slsguard.rules.sas03_deployment.sls0310_domain_tls10 import domain_tls10
from slsguard.rules.sas03_deployment.sls0311_publicly_accessible import publicly_accessible
from slsguard.rules.sas03_deployment.sls0312_storage_unencrypted import storage_unencrypted
from slsguard.rules.sas03_deployment.sls0313_alb_plain_http import alb_plain_http
from slsguard.rules.sas03_deployment.sls0314_opensearch_serverless_public import (
    opensearch_serverless_public,
)
from slsguard.rules.sas03_deployment.sls0315_open_security_group import open_security_group
from slsguard.rules.sas03_deployment.sls0316_queue_topic_policy_public import (
    queue_topic_policy_public,
)

RULES: tuple[Rule, ...] = (
    bucket_public_acl,
    bucket_policy_public,
    bucket_public_access_block,
    bucket_default_encryption,
    bucket_tls_not_enforced,
    store_unencrypted,
    deployment_bucket,
    public_bucket_shared,
    cors_any_origin_with_credentials,
    domain_tls10,
    publicly_accessible,
    storage_unencrypted,
    alb_plain_http,
    opensearch_serverless_public,
    open_security_group,
    queue_topic_policy_public,
)
