from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Permission
from slsguard.model.values import GetAtt, Ref
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas02_authentication.common import prop_src, resources_of


@rule(
    id="SLS0203",
    name="public-invoke-permission",
    category=Category.SAS_2,
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    title="Lambda resource policy lets any principal invoke the function",
    rationale=(
        'A Lambda permission for Principal "*" without SourceArn, SourceAccount or '
        "PrincipalOrgID lets every AWS account invoke the function. A service principal "
        "(apigateway.amazonaws.com, sns.amazonaws.com ...) without SourceArn or SourceAccount "
        "lets that service invoke it on behalf of any account (confused deputy): anyone can "
        "point their own API at it and skip your authorizer; reported at low severity."
    ),
    fix=(
        "Name the caller: set `SourceArn` (the API, topic, bucket or rule ARN) and/or "
        "`SourceAccount` on the AWS::Lambda::Permission (CloudFormation, SAM and serverless.yml "
        '`resources`), or keep Principal "*" with `PrincipalOrgID` to admit one '
        "organization. SAM and serverless.yml events already add SourceArn to the permissions "
        "they generate."
    ),
    fixes=(
        (
            "serverless",
            "Name the caller on the AWS::Lambda::Permission in `resources.Resources`: `SourceArn` "
            "(the API, topic, bucket or rule ARN) and/or `SourceAccount: !Ref AWS::AccountId`, or "
            '`PrincipalOrgID` with Principal "*" for an organization. Prefer declaring the '
            "trigger under the function's `events`: the framework adds SourceArn to the "
            "permissions it generates.",
        ),
        (
            "sam",
            "Name the caller on the AWS::Lambda::Permission: `SourceArn` (the API, topic, bucket "
            "or rule ARN) and/or `SourceAccount: !Ref AWS::AccountId`, or `PrincipalOrgID` with "
            'Principal "*" for an organization. Prefer an entry in the function\'s `Events`: SAM '
            "adds SourceArn to the permissions it generates.",
        ),
        (
            "cloudformation",
            "Add `SourceArn` and/or `SourceAccount: !Ref AWS::AccountId` to the "
            "AWS::Lambda::Permission, e.g. `SourceArn: !Sub "
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*` for API "
            'Gateway; for an organization keep Principal "*" with `PrincipalOrgID`.',
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-permission.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
    ),
)
def public_invoke_permission(perm: Permission, app: App) -> Iterator[Hit]:
    principal, action = perm.principal, perm.action
    if not isinstance(principal, str) or not isinstance(action, str):
        return  # not statically known
    if not (action.lower().startswith("lambda:invoke") or action in ("*", "lambda:*")):
        return
    res = next((r for r in app.resources if r.id == perm.id), None)
    props = res.properties if res is not None else {}
    # Any condition naming the caller counts, even when its value is only known at deploy time.
    conditions = ("SourceArn", "SourceAccount", "PrincipalOrgID", "EventSourceToken")
    if perm.source_arn is not None or perm.source_account is not None:
        return
    if any(props.get(key) is not None for key in conditions):
        return
    name = perm.function_id or _function_name(props.get("FunctionName"))
    target = "its function" if name == "?" else f"function {name}"
    src = prop_src(res, app, "Principal") if res is not None else perm.src
    subject = f"function {perm.function_id}" if perm.function_id else f"permission {perm.id}"
    if principal == "*":
        url_auth = perm.url_auth_type
        if isinstance(url_auth, str) and url_auth.upper() == "NONE" and _url_reported(perm, app):
            return  # the public function URL itself is SLS0202's finding
        yield Hit(
            src,
            f"permission {perm.id} lets any AWS principal invoke {target} "
            '(Principal "*" with no SourceArn, SourceAccount or PrincipalOrgID)',
            subject=subject,
        )
    elif principal.endswith((".amazonaws.com", ".amazon.com")):
        yield Hit(
            src,
            f"permission {perm.id} lets {principal} invoke {target} on behalf of any AWS "
            "account: set SourceArn or SourceAccount",
            subject=subject,
            severity=Severity.LOW,
        )


def _url_reported(perm: Permission, app: App) -> bool:
    """Whether the URL this permission opens is public in this template (SLS0202 reports it)."""
    for fn in app.functions:
        if fn.id == perm.function_id and fn.url is not None:
            auth = fn.url.auth_type
            if isinstance(auth, str) and auth.upper() == "NONE":
                return True
    permission = next((r for r in app.resources if r.id == perm.id), None)
    name = permission.properties.get("FunctionName") if permission is not None else None
    return name is not None and any(
        _function_name(url.properties.get("TargetFunctionArn")) == _function_name(name) != "?"
        and str(url.properties.get("AuthType")).upper() == "NONE"
        for url in resources_of(app, "AWS::Lambda::Url")
    )


def _function_name(value: Any) -> str:
    """The function a permission names when it is not a function of this template."""
    if isinstance(value, (Ref, GetAtt)):
        return value.logical_id
    if isinstance(value, str):
        return value.rsplit(":function:", 1)[-1]
    return "?"
