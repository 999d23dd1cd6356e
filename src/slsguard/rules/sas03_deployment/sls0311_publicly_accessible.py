from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Resource
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas03_deployment.common import prop_src, truthy

KINDS = {
    "AWS::RDS::DBInstance": "RDS database instance",
    "AWS::RDS::DBCluster": "RDS database cluster",
    "AWS::AmazonMQ::Broker": "Amazon MQ broker",
    "AWS::Redshift::Cluster": "Redshift cluster",
}
_MSK = "AWS::MSK::Cluster"


@rule(
    id="SLS0311",
    name="datastore-publicly-accessible",
    category=Category.SAS_3,
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    title="Database or message broker reachable from the internet (PubliclyAccessible: true)",
    rationale=(
        "A publicly accessible RDS instance or cluster, Amazon MQ broker, Redshift cluster "
        "or MSK cluster gets a public endpoint: only its security group and password stand "
        "between the internet and the data, and it can be brute-forced or hit by DDoS. "
        "Functions reach private endpoints through their VPC configuration."
    ),
    fix=(
        "Set `PubliclyAccessible: false` (MSK: "
        "`BrokerNodeGroupInfo.ConnectivityInfo.PublicAccess.Type: DISABLED`) on the resource "
        "in serverless.yml `resources.Resources`, SAM or "
        "CloudFormation `Resources`, place it in private subnets, and give the functions "
        "that use it a VPC configuration (serverless.yml `vpc`, SAM/CloudFormation "
        "`VpcConfig`)."
    ),
    fixes=(
        (
            "serverless",
            "Set `PubliclyAccessible: false` on the resource in `resources.Resources` (MSK: "
            "`BrokerNodeGroupInfo.ConnectivityInfo.PublicAccess.Type: DISABLED`) and place it in "
            "private subnets. Functions reach it through `vpc: {securityGroupIds: [...], "
            "subnetIds: [...]}` on the function or under `provider`.",
        ),
        (
            "sam",
            "Set `PubliclyAccessible: false` on the resource (MSK: "
            "`BrokerNodeGroupInfo.ConnectivityInfo.PublicAccess.Type: DISABLED`) and place it in "
            "private subnets. Functions reach it through `VpcConfig: {SecurityGroupIds: [...], "
            "SubnetIds: [...]}` on the function or in `Globals.Function`.",
        ),
        (
            "cloudformation",
            "Set `PubliclyAccessible: false` on the resource (MSK: "
            "`BrokerNodeGroupInfo.ConnectivityInfo.PublicAccess.Type: DISABLED`) and place it in "
            "private subnets. Functions reach it through `VpcConfig` on the AWS::Lambda::Function "
            "(their role needs the AWSLambdaVPCAccessExecutionRole permissions).",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html",
        "https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/using-amazon-mq-securely.html",
        "https://docs.aws.amazon.com/config/latest/developerguide/mq-no-public-access.html",
        "https://docs.aws.amazon.com/msk/latest/developerguide/public-access.html",
    ),
)
def publicly_accessible(res: Resource, app: App) -> Iterator[Hit]:
    if res.type in KINDS:
        if truthy(res.properties.get("PubliclyAccessible")) is True:
            yield Hit(
                prop_src(app, res, "PubliclyAccessible"),
                f"{KINDS[res.type]} {res.id} has PubliclyAccessible true: its endpoint is "
                "reachable from the internet",
                subject=f"{KINDS[res.type]} {res.id}",
            )
    elif res.type == _MSK:
        info = res.properties.get("BrokerNodeGroupInfo")
        connectivity = info.get("ConnectivityInfo") if isinstance(info, dict) else None
        public = connectivity.get("PublicAccess") if isinstance(connectivity, dict) else None
        kind = public.get("Type") if isinstance(public, dict) else None
        if kind == "SERVICE_PROVIDED_EIPS":
            yield Hit(
                prop_src(
                    app, res, "BrokerNodeGroupInfo", "ConnectivityInfo", "PublicAccess", "Type"
                ),
                f"MSK cluster {res.id} turns on public access: its brokers are reachable "
                "from the internet",
                subject=f"MSK cluster {res.id}",
            )
