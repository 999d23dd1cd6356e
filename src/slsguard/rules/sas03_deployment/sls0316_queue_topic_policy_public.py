from __future__ import annotations

from collections.abc import Iterator

from slsguard.findings import Category, Confidence, Severity
from slsguard.model.app import App, Resource
from slsguard.model.values import as_list
from slsguard.rules.base import Hit, rule
from slsguard.rules.sas03_deployment.common import prop_src, public_statement

KINDS = {"AWS::SQS::QueuePolicy": "queue", "AWS::SNS::TopicPolicy": "topic"}


@rule(
    id="SLS0316",
    name="queue-topic-policy-public",
    category=Category.SAS_3,
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    title='SQS queue or SNS topic policy allows Principal "*" without a restricting condition',
    rationale=(
        'An Allow to Principal "*" with no aws:SourceArn, aws:SourceAccount, '
        "aws:SourceOwner, aws:PrincipalOrgID or similar condition lets any AWS account "
        "send, read or subscribe: forged messages reach the functions the queue or topic "
        "triggers, and messages can leak."
    ),
    fix=(
        "Grant the service that needs access (e.g. `Principal: {Service: sns.amazonaws.com}`) "
        "with a `Condition` on `aws:SourceArn` (or `aws:SourceAccount`), in the "
        "`PolicyDocument` of the AWS::SQS::QueuePolicy or AWS::SNS::TopicPolicy "
        "(serverless.yml `resources.Resources`, SAM or CloudFormation `Resources`)."
    ),
    fixes=(
        (
            "serverless",
            "In the `PolicyDocument` of the AWS::SQS::QueuePolicy or AWS::SNS::TopicPolicy in "
            "`resources.Resources`, grant the service that needs access (`Principal: {Service: "
            "sns.amazonaws.com}`) with `Condition: {ArnEquals: {aws:SourceArn: !Ref Topic}}` "
            'instead of Principal "*". The `sqs` and `sns` events of functions need no such '
            "policy.",
        ),
        (
            "sam",
            "In the `PolicyDocument` of the AWS::SQS::QueuePolicy or AWS::SNS::TopicPolicy, grant "
            "the service that needs access (`Principal: {Service: sns.amazonaws.com}`) with "
            '`Condition: {ArnEquals: {aws:SourceArn: !Ref Topic}}` instead of Principal "*". The '
            "`SQS` and `SNS` events of functions need no such policy.",
        ),
        (
            "cloudformation",
            "In the `PolicyDocument` of the AWS::SQS::QueuePolicy or AWS::SNS::TopicPolicy, grant "
            "the service that needs access (`Principal: {Service: sns.amazonaws.com}`) with "
            "`Condition: {ArnEquals: {aws:SourceArn: !Ref Topic}}` (or `aws:SourceAccount`) "
            'instead of Principal "*". An AWS::Lambda::EventSourceMapping reads a queue with the '
            "function's role and needs no queue policy.",
        ),
    ),
    references=(
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-basic-examples-of-sqs-policies.html",
        "https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
    ),
)
def queue_topic_policy_public(res: Resource, app: App) -> Iterator[Hit]:
    kind = KINDS.get(res.type)
    document = res.properties.get("PolicyDocument") if kind else None
    if not isinstance(document, dict):
        return
    for index, item in enumerate(as_list(document.get("Statement"))):
        if not isinstance(item, dict) or not public_statement(
            item.get("Effect"), item.get("Principal"), item.get("Condition")
        ):
            continue
        actions = ", ".join(a for a in as_list(item.get("Action")) if isinstance(a, str))
        src = prop_src(app, res, "PolicyDocument", "Statement", index)
        yield Hit(
            src,
            f'{kind} policy {res.id} allows {actions or "NotAction"} to Principal "*" with no '
            "condition that restricts who can call it",
            subject=f"{kind} policy {res.id}",
        )
