from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Resource
from slsguard.model.source import SourceRef
from slsguard.model.values import as_list, to_int
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas03_deployment.common import mentions, prop_src, truthy

_SG = "AWS::EC2::SecurityGroup"
_INGRESS = "AWS::EC2::SecurityGroupIngress"
_PUBLIC_FLAG = (
    "AWS::RDS::DBInstance",
    "AWS::RDS::DBCluster",
    "AWS::AmazonMQ::Broker",
    "AWS::Redshift::Cluster",
)
_LOAD_BALANCERS = (
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancing::LoadBalancer",
)
_WEB_PORTS = frozenset({80, 443})
_ANYWHERE = frozenset({"0.0.0.0/0", "::/0"})


def _refers(value: Any, logical_id: str) -> bool:
    """Does a resolved property tree point at the resource anywhere?"""
    if mentions(value, logical_id):
        return True
    if isinstance(value, dict):
        return any(_refers(v, logical_id) for v in value.values())
    if isinstance(value, list):
        return any(_refers(v, logical_id) for v in value)
    return False


def _internet_reachable(res: Resource) -> bool:
    """Resources with a public endpoint: PubliclyAccessible true, internet-facing LBs."""
    if res.type in _PUBLIC_FLAG:
        return truthy(res.properties.get("PubliclyAccessible")) is True
    if res.type in _LOAD_BALANCERS:
        return bool(res.properties.get("Scheme", "internet-facing") == "internet-facing")
    return False


def _open_ports(entry: dict[str, Any]) -> str | None:
    """ "all ports" / "port 22" / "ports 1-65535" for a world-open non-web rule, else None."""
    if not any(entry.get(k) in _ANYWHERE for k in ("CidrIp", "CidrIpv6")):
        return None
    protocol = str(entry.get("IpProtocol", "")).lower()
    if protocol in ("-1", "all"):
        return "all ports"
    if protocol not in ("tcp", "udp", "6", "17"):
        return None  # icmp and friends: no ports; unresolved: unknown
    low, high = to_int(entry.get("FromPort")), to_int(entry.get("ToPort"))
    if low is None or high is None:
        return None
    if low == high:
        return None if low in _WEB_PORTS else f"port {low}"
    if low <= 0 and high >= 65535:
        return "all ports"
    return f"ports {low}-{high}"


@rule(
    id="SLS0315",
    name="public-endpoint-open-security-group",
    category=Category.SAS_3,
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    title="Security group of an internet-reachable resource open to 0.0.0.0/0 on non-web ports",
    rationale=(
        "A security group that admits the whole internet on broker, database, console or "
        "SSH ports, attached to a publicly accessible broker or database or to an "
        "internet-facing load balancer, leaves only the service's own login between an "
        "attacker and the data. Ports 80 and 443 are not reported; groups used only by "
        "Lambda functions are not either (functions accept no inbound connections)."
    ),
    fix=(
        "Narrow `CidrIp`/`CidrIpv6` of the `SecurityGroupIngress` rule (or the "
        "AWS::EC2::SecurityGroupIngress resource) to the networks that need it, or use "
        "`SourceSecurityGroupId` of the functions' security group (serverless.yml `vpc."
        "securityGroupIds`, SAM/CloudFormation `VpcConfig.SecurityGroupIds`); best, make the "
        "resource private. These resources live in serverless.yml `resources.Resources`, SAM "
        "or CloudFormation `Resources`."
    ),
    fixes=(
        (
            "serverless",
            "Narrow the `CidrIp`/`CidrIpv6` of the ingress rule in `resources.Resources` to the "
            "networks that need it, or replace it with `SourceSecurityGroupId` naming the "
            "functions' security group (the one in `provider.vpc.securityGroupIds`); best, make "
            "the resource private.",
        ),
        (
            "sam",
            "Narrow the `CidrIp`/`CidrIpv6` of the ingress rule to the networks that need it, or "
            "replace it with `SourceSecurityGroupId` naming the functions' security group (the "
            "one in their `VpcConfig.SecurityGroupIds`, or `Globals.Function`); best, make the "
            "resource private.",
        ),
        (
            "cloudformation",
            "Narrow the `CidrIp`/`CidrIpv6` of the `SecurityGroupIngress` rule (or the "
            "AWS::EC2::SecurityGroupIngress) to the networks that need it, or replace it with "
            "`SourceSecurityGroupId` naming the security group in the functions' "
            "`VpcConfig.SecurityGroupIds`; best, make the resource private.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
        "https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/using-amazon-mq-securely.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-ec2-security-group-ingress.html",
    ),
)
def open_security_group(res: Resource, app: App) -> Iterator[Hit]:
    if res.type != _SG:
        return
    exposed = sorted(
        other.id
        for other in app.resources
        if _internet_reachable(other) and _refers(other.properties, res.id)
    )
    if not exposed:
        return
    rules: list[tuple[dict[str, Any], SourceRef]] = []
    for index, entry in enumerate(as_list(res.properties.get("SecurityGroupIngress"))):
        if isinstance(entry, dict):
            where = "CidrIp" if "CidrIp" in entry else "CidrIpv6"
            rules.append((entry, prop_src(app, res, "SecurityGroupIngress", index, where)))
    for other in app.resources:
        if other.type == _INGRESS and mentions(other.properties.get("GroupId"), res.id):
            where = "CidrIp" if "CidrIp" in other.properties else "CidrIpv6"
            rules.append((other.properties, prop_src(app, other, where)))
    for entry, src in rules:
        ports = _open_ports(entry)
        if ports is None:
            continue
        yield Hit(
            src,
            f"security group {res.id} of {', '.join(exposed)} admits 0.0.0.0/0 on {ports}",
            subject=f"security group {res.id}",
            severity=Severity.HIGH if ports == "all ports" else Severity.MEDIUM,
        )
