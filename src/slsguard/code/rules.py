"""Metadata of the code rules (RuleMeta, as for the configuration rules), so that
`slsguard rules`, `slsguard explain`, the docs and SARIF list them.

SLS1002 shares its id with the configuration rule of the same name (debug mode in the
deployed environment); its entry here describes the code side of it.
"""

from __future__ import annotations

from slsguard.findings import Category, Confidence, Severity
from slsguard.rules.base import RuleMeta

_OWASP = "https://owasp.org/www-project-serverless-top-10/"
_LANGUAGES = ("python", "javascript", "typescript")


def _cwe(number: int) -> str:
    return f"https://cwe.mitre.org/data/definitions/{number}.html"


_EVENT = (
    "Every field of the event is attacker-controlled: an HTTP body, query and path "
    "parameters and headers, but also an S3 object key, an SQS message body or an SNS "
    "message, which anyone who can write to the bucket, queue or topic chooses."
)

CODE_RULES: tuple[RuleMeta, ...] = (
    RuleMeta(
        id="SLS0101",
        name="code-command-injection",
        category=Category.SAS_1,
        severity=Severity.CRITICAL,
        confidence=Confidence.HIGH,
        title="Event data reaches an OS command",
        rationale=f"{_EVENT} A shell command built from it runs whatever the attacker "
        "appends (`; curl ... | sh`) with the function's role and environment.",
        fix="Do not run a shell: pass an argument list without shell=True "
        '(`subprocess.run(["convert", path], check=True)`), validate the value against an '
        "allow-list, or quote it with shlex.quote() when a shell is unavoidable.",
        references=(_OWASP, _cwe(78)),
        formats=_LANGUAGES,
    ),
    RuleMeta(
        id="SLS0102",
        name="code-eval-deserialisation",
        category=Category.SAS_1,
        severity=Severity.CRITICAL,
        confidence=Confidence.HIGH,
        title="Event data reaches code evaluation or unsafe deserialisation",
        rationale=f"{_EVENT} eval/exec/compile run it as code; pickle, marshal, "
        "jsonpickle and yaml.load without a safe loader build arbitrary objects from it, "
        "which runs code too.",
        fix="Parse data with json.loads() or yaml.safe_load() (`Loader=yaml.SafeLoader`); "
        "use ast.literal_eval() for Python literals; never unpickle data that crossed a "
        "trust boundary.",
        references=(_OWASP, _cwe(94), _cwe(502)),
        formats=_LANGUAGES,
    ),
    RuleMeta(
        id="SLS0103",
        name="code-sql-injection",
        category=Category.SAS_1,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        title="Event data reaches an SQL query built as a string",
        rationale=f"{_EVENT} Formatted into SQL (f-string, %, +, .format) it can change "
        "the query: read other rows, bypass conditions or modify data.",
        fix='Pass values as query parameters: `cursor.execute("SELECT ... WHERE id = %s", '
        "(item_id,))`; the RDS and Redshift Data APIs take `parameters=`; table and column "
        "names come from an allow-list.",
        references=(_OWASP, _cwe(89)),
        formats=_LANGUAGES,
    ),
    RuleMeta(
        id="SLS0104",
        name="code-nosql-injection",
        category=Category.SAS_1,
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        title="Event data reaches a NoSQL query or expression",
        rationale=f"{_EVENT} A DynamoDB expression or PartiQL statement built as a string "
        "lets it change the condition; a MongoDB filter taken from parsed JSON accepts "
        'operators (`{"$ne": null}`) and `$where` runs JavaScript.',
        fix="Build DynamoDB conditions with boto3.dynamodb.conditions (Key/Attr) or bind "
        "values in ExpressionAttributeValues; PartiQL takes `Parameters=`; convert MongoDB "
        "filter values to strings (str()) or validate them, and never put event data in "
        "`$where`.",
        references=(_OWASP, _cwe(943)),
        formats=_LANGUAGES,
    ),
    RuleMeta(
        id="SLS0105",
        name="code-path-traversal",
        category=Category.SAS_1,
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        title="Event data reaches a file path",
        rationale=f"{_EVENT} `../` in a path built from it reads or writes files outside "
        "the intended directory: the code package, /proc/self/environ with the role's "
        "credentials, other invocations' files in /tmp.",
        fix="Use os.path.basename() of the value, or resolve the path and check that it "
        "stays under the base directory (`os.path.realpath(p).startswith(BASE)`), or map "
        "names through an allow-list.",
        references=(_OWASP, _cwe(22)),
        formats=_LANGUAGES,
    ),
    RuleMeta(
        id="SLS0106",
        name="code-ssrf",
        category=Category.SAS_1,
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        title="Event data chooses the host of an outbound request (SSRF)",
        rationale=f"{_EVENT} A URL taken from it makes the function fetch internal "
        "endpoints (the Lambda runtime API, VPC services, metadata endpoints) with its "
        "network position and credentials. Values placed after a fixed "
        "`https://host/` prefix are not reported.",
        fix="Fix the scheme and host in code and put event data only in the path or query "
        "(quoted); otherwise check the host against an allow-list before the request.",
        references=(_OWASP, _cwe(918)),
        formats=_LANGUAGES,
    ),
    RuleMeta(
        id="SLS0207",
        name="code-jwt-unverified",
        category=Category.SAS_2,
        severity=Severity.HIGH,
        confidence=Confidence.HIGH,
        title="Code decodes a JWT without verifying it",
        rationale="A token decoded with verify_signature False, verify=False or the "
        "'none' algorithm is accepted whatever its signature: anyone can write the claims "
        "(user, roles, tenant) the code then trusts.",
        fix="Verify the signature with the issuer's key and a fixed algorithm list "
        '(`jwt.decode(token, key, algorithms=["RS256"], audience=...)`), or let an API '
        "Gateway JWT/Cognito authorizer verify it and read the claims from "
        "event.requestContext.authorizer.",
        references=(_OWASP, _cwe(347)),
        formats=_LANGUAGES,
    ),
    RuleMeta(
        id="SLS0506",
        name="code-logs-whole-event",
        category=Category.SAS_5,
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        title="Code logs the whole event, its headers or its body",
        rationale="Headers carry Authorization tokens, cookies and API keys; bodies carry "
        "passwords and personal data. Logged, they are readable by anyone with access to "
        "the log group for its whole retention period.",
        fix="Log selected, non-sensitive fields (request id, route, status) instead of the "
        "event; drop log_event=True from Powertools' inject_lambda_context outside tests.",
        references=(_OWASP, _cwe(532)),
        formats=_LANGUAGES,
    ),
    RuleMeta(
        id="SLS0507",
        name="code-logs-secret",
        category=Category.SAS_5,
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        title="Code logs a secret",
        rationale="A value read from a secret-named environment variable or variable, "
        "Secrets Manager or a decrypted SSM parameter ends up in CloudWatch Logs, where "
        "log readers (and log exports) see it in plain text.",
        fix="Do not log secrets; log that a secret was loaded (its name or ARN) if needed.",
        references=(_OWASP, _cwe(532)),
        formats=_LANGUAGES,
    ),
    RuleMeta(
        id="SLS0703",
        name="code-hardcoded-secret",
        category=Category.SAS_7,
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        title="Hard-coded secret in handler code",
        rationale="A key, token or password in the source is in every copy of the code: "
        "the repository and its history, the deployment package, anyone who can call "
        "GetFunction. It cannot be rotated without a redeploy.",
        fix="Move the secret to Secrets Manager or an SSM SecureString parameter and read "
        "it at run time (cached, e.g. with Powertools parameters); rotate the exposed value.",
        references=(_OWASP, _cwe(798)),
        formats=_LANGUAGES,
    ),
    RuleMeta(
        id="SLS0807",
        name="code-unbounded-input",
        category=Category.SAS_8,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        title="Event data used as a regular expression or an unbounded size or count",
        rationale=f"{_EVENT} As a regular expression it can take exponential time (ReDoS); "
        "as a loop count, repetition or sleep it makes one request burn the whole timeout "
        "and memory, billed per millisecond.",
        fix="Escape user text used in a pattern (re.escape); bound counts and sizes "
        "(`min(int(n), MAX_ITEMS)`) and validate them before use.",
        references=(_OWASP, _cwe(1333), _cwe(400)),
        formats=_LANGUAGES,
    ),
    RuleMeta(
        id="SLS0808",
        name="code-http-without-timeout",
        category=Category.SAS_8,
        severity=Severity.LOW,
        confidence=Confidence.HIGH,
        title="Outbound HTTP call without a timeout",
        rationale="requests and urllib wait forever by default: a slow or hanging "
        "dependency keeps the function running (and billed) until the Lambda timeout and "
        "ties up concurrency.",
        fix="Pass `timeout=` on every call (`requests.get(url, timeout=(3.05, 10))`), "
        "shorter than the function's own timeout.",
        references=(_OWASP, _cwe(400)),
        formats=_LANGUAGES,
    ),
    RuleMeta(
        id="SLS0901",
        name="code-client-supplied-identity",
        category=Category.SAS_9,
        severity=Severity.HIGH,
        confidence=Confidence.MEDIUM,
        title="Handler trusts a client-supplied identity although an authorizer exists",
        rationale="The function sits behind an authorizer, yet reads the user, tenant, "
        "owner or account id for a data access from the body, query or path: any "
        "authenticated caller can act on another user's data by changing it (IDOR).",
        fix="Take the identity from the authorizer's claims "
        '(`event["requestContext"]["authorizer"]["claims"]["sub"]`, or '
        "`jwt.claims` for HTTP APIs) and use client-supplied ids only after checking them "
        "against it.",
        references=(_OWASP, _cwe(639)),
        formats=_LANGUAGES,
    ),
    RuleMeta(
        id="SLS1001",
        name="code-exception-to-client",
        category=Category.SAS_10,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        title="Stack trace or exception text returned to the client",
        rationale="traceback.format_exc(), str(e) and e.args reveal file paths, library "
        "versions, queries, table and bucket names: a map for the next attack. Powertools "
        "resolvers with debug=True return stack traces for every error. Another function's "
        "raw response (Lambda Invoke's Payload) is its errorMessage, errorType and stackTrace "
        "when it failed: handing it back unread leaks them too, unless the code looks at "
        "FunctionError.",
        fix="Log the exception (logger.exception) and return a generic message with a "
        "correlation id; keep debug off in deployed resolvers; check an invoked function's "
        "FunctionError before answering with its payload.",
        references=(_OWASP, _cwe(209)),
        formats=_LANGUAGES,
    ),
    RuleMeta(
        id="SLS1002",
        name="debug-mode-enabled",
        category=Category.SAS_10,
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        title="Debug mode switched on in code",
        rationale="Flask/FastAPI/Chalice debug mode answers errors with stack traces and "
        "settings, and Flask's debugger runs code typed into the error page.",
        fix='Remove debug=True / `app.debug = True` / `config["DEBUG"] = True` from '
        "deployed code; read the switch from the environment and default it to off.",
        references=(_OWASP, _cwe(489)),
        formats=_LANGUAGES,
    ),
)

CODE_RULES_BY_ID: dict[str, RuleMeta] = {meta.id: meta for meta in CODE_RULES}
