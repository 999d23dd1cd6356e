from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas02_authentication.common import prop_src, resources_of


@rule(
    id="SLS0202",
    name="function-url-auth-none",
    category=Category.SAS_2,
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    title="Lambda function URL with AuthType NONE",
    rationale=(
        "A function URL with AuthType NONE is a public HTTPS endpoint: anyone who learns the "
        "URL can invoke the function directly, with no API Gateway authorizer, throttling or "
        "WAF in front of it (a CloudFront origin access control needs AWS_IAM too)."
    ),
    fix=(
        "Use IAM authentication: serverless.yml `url: {authorizer: aws_iam}` instead of "
        "`url: true`; SAM `FunctionUrlConfig: {AuthType: AWS_IAM}`; CloudFormation "
        "`AuthType: AWS_IAM` on the AWS::Lambda::Url. Put CloudFront with a Lambda origin access "
        "control in front for browser traffic, or an API Gateway route with an authorizer."
    ),
    fixes=(
        (
            "serverless",
            "Use IAM authentication: `url: {authorizer: aws_iam}` instead of `url: true` on the "
            "function. For browser traffic put CloudFront with a Lambda origin access control in "
            "front, or use an `httpApi` event with an authorizer.",
        ),
        (
            "sam",
            "Set `FunctionUrlConfig: {AuthType: AWS_IAM}` on the AWS::Serverless::Function. For "
            "browser traffic put CloudFront with a Lambda origin access control in front, or use "
            "an `HttpApi` event with an authorizer.",
        ),
        (
            "cloudformation",
            "Set `AuthType: AWS_IAM` on the AWS::Lambda::Url and grant `lambda:InvokeFunctionUrl` "
            'only to the calling account or role, not to Principal "*". For browser traffic put '
            "CloudFront with a Lambda origin access control in front.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html",
        "https://www.serverless.com/framework/docs/providers/aws/guide/functions#lambda-function-urls",
    ),
)
def function_url_auth_none(app: App, _: App) -> Iterator[Hit]:
    reported: set[tuple[int, int]] = set()
    for fn in app.functions:
        url = fn.url
        if url is None or not isinstance(url.auth_type, str) or url.auth_type.upper() != "NONE":
            continue  # AWS_IAM, or not statically known
        reported.add((url.src.line, url.src.column))
        yield Hit(
            url.src,
            f"function {fn.id} has a function URL with AuthType NONE: anyone on the internet "
            "can invoke it",
            subject=f"function {fn.id}",
        )
    # A URL of a function defined elsewhere (an imported ARN), or a second URL (an alias).
    for res in resources_of(app, "AWS::Lambda::Url"):
        auth = res.properties.get("AuthType")
        if not isinstance(auth, str) or auth.upper() != "NONE":
            continue
        src = prop_src(res, app, "AuthType")
        if (src.line, src.column) in reported:
            continue
        yield Hit(
            src,
            f"function URL {res.id} has AuthType NONE: anyone on the internet can invoke its "
            "function",
            subject=f"function URL {res.id}",
        )
