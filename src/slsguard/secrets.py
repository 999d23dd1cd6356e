"""Plaintext secrets in configuration values (environment variables and similar pairs).

Precision comes first: a value is reported only when it has the format of a known
credential, or when its name says "secret" and the value is a literal rather than a
reference (ARN, URL, path, SSM/Secrets Manager lookup, intrinsic). Random-looking strings
under ordinary names (commit SHAs, build ids) are never reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SecretMatch:
    kind: str
    """"aws-access-key-id", "private-key", "github-token", ..., "secret-name"."""
    confidence: str
    """"high" | "medium" | "low"."""
    reason: str
    """One line for the user; never contains the value."""


@dataclass(frozen=True, slots=True)
class _Format:
    kind: str
    label: str
    pattern: re.Pattern[str]


# Known credential formats, searched anywhere in the value (tokens hide in URLs and headers).
_FORMATS: tuple[_Format, ...] = (
    _Format(
        "aws-access-key-id",
        "an AWS access key id",
        re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])"),
    ),
    _Format(
        "private-key",
        "a PEM private key",
        re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    ),
    _Format(
        "github-token",
        "a GitHub token",
        re.compile(r"\b(?:(?:ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{36}\b|github_pat_[A-Za-z0-9_]{22,})"),
    ),
    _Format(
        "slack-webhook",
        "a Slack incoming webhook URL",
        re.compile(r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{8,}"),
    ),
    # Real Slack tokens have a numeric team/user part; "xoxb-your-token" does not match.
    _Format("slack-token", "a Slack token", re.compile(r"\bxox[abprs]-\d+-[A-Za-z0-9-]{8,}")),
    _Format(
        "stripe-key",
        "a live Stripe key",
        re.compile(r"\b(?:sk|rk)_live_[A-Za-z0-9]{16,}"),
    ),
    _Format(
        "google-api-key",
        "a Google API key",
        re.compile(r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"),
    ),
    _Format("twilio-api-key", "a Twilio API key", re.compile(r"\bSK[0-9a-f]{32}\b")),
    _Format(
        "sendgrid-key",
        "a SendGrid API key",
        re.compile(r"\bSG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}(?![A-Za-z0-9_-])"),
    ),
    # The signature part is required: an unsigned token grants nothing.
    _Format(
        "jwt",
        "a JSON Web Token",
        re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}"),
    ),
    _Format("npm-token", "an npm access token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    # OpenAI keys embed "T3BlbkFJ" (base64 "OpenAI"); without it "sk-..." is too often a name.
    _Format(
        "openai-key",
        "an OpenAI API key",
        re.compile(
            r"\bsk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}"
        ),
    ),
    _Format(
        "anthropic-key",
        "an Anthropic API key",
        re.compile(r"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}"),
    ),
)

_URL_CREDENTIALS = re.compile(
    r"\b[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s]*:(?P<password>[^@/?#\s]+)@(?P<host>[^\s/:?#]+)"
)
# A password that is filled in at deploy or run time: ${...}, {{...}}, $VAR, %(name)s, <...>.
_TEMPLATED = re.compile(r"\$\{|\$\(|\{\{|#\{|^\$\w+$|%\(|%s|^<.*>$|^\{.*\}$")
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "host.docker.internal"})

# 40 base64 characters, the shape of an AWS secret access key (checked only under AWS or
# SECRET_KEY names: on its own the shape matches too many ids).
_AWS_SECRET_KEY = re.compile(r"[A-Za-z0-9/+]{40}")
_CHAR_CLASSES = (re.compile(r"[A-Z]"), re.compile(r"[a-z]"), re.compile(r"[0-9]"))

# Markers of a placeholder, anywhere in the value.
_PLACEHOLDER_MARK = re.compile(
    r"example|change[_-]?me|replace[_-]?me|update[_-]?me|fill[_-]?me|(?:^|[^a-z])your"
    r"|placeholder|dummy|fixme|todo|redacted|not[_-]?a?[_-]?real|x{4,}|\*{3,}|<[^>]*>",
    re.IGNORECASE,
)
_SAME_CHAR = re.compile(r"(.)\1{2,}")
_PLACEHOLDER_WORDS = frozenset(
    {
        "password", "passwd", "pass", "secret", "token", "key", "apikey", "secretkey",
        "mysecret", "mypassword", "supersecret", "test", "testing", "default", "tbd", "none",
        "null", "empty", "fake", "sample", "password1", "password123", "secret123",
        "myapikey", "mytoken", "mykey", "keyvalue", "apikeyvalue",
    }
)  # fmt: skip

# Values under a secret name that are not the secret itself.
_SCALAR_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "none", "nil"})
_SHORT_NUMBER = re.compile(r"-?\d{1,5}(?:\.\d+)?")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_REFERENCE_PREFIXES = ("arn:", "/", "./", "../", "~/", "ssm:", "file:", "{{resolve:")
_REFERENCE_MARKS = ("${", "#{", "{{resolve:", "secretsmanager", "parameter/")
_ENV_REFERENCE = re.compile(r"\$[A-Za-z_]\w*|%[A-Za-z_]\w*%")
_YAML_TAG = re.compile(r"!(?:Ref|GetAtt|Sub|ImportValue|Join|Select|FindInMap|If)\b")
# KMS ciphertext blobs (base64 of 0x01 0x02 0x02 0x00 0x78 ...): encrypted, not plaintext.
_KMS_CIPHERTEXT = re.compile(r"AQ[EI]CAH[A-Za-z0-9+/]{40,}={0,2}")

# Name analysis. Words split on _ - . space and camelCase ("APIKey" -> API, Key).
_NAME_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z][a-z]*|[a-z]+|\d+")
_SECRET_SUFFIXES = (
    "password", "passwords", "passwd", "secret", "secrets", "token", "tokens", "apikey", "apikeys",
    "privatekey", "secretkey", "passphrase", "credential", "credentials",
)  # fmt: skip
_SECRET_WORDS = frozenset({"pwd", "pass", "creds"})
_KEY_QUALIFIERS = frozenset(
    {
        "api", "access", "secret", "private", "auth", "signing", "encryption", "client",
        "master", "hmac", "jwt", "session", "ssh", "sign", "encrypt", "decryption", "aes", "app",
        "webhook",
    }
)  # fmt: skip
# Trailing words that qualify rather than name the thing: DB_PASSWORD_PROD, API_KEY_V2.
_QUALIFIER_WORDS = frozenset(
    {
        "prod", "production", "dev", "development", "staging", "stage", "stg", "qa", "uat",
        "local", "value", "val", "raw", "plain", "plaintext", "b64", "base64", "encoded", "v",
        "old", "new", "current", "previous", "next", "primary", "secondary",
    }
)  # fmt: skip


def classify(name: str, value: object) -> SecretMatch | None:
    """How likely `value`, configured under `name`, is a plaintext secret; None if not.

    Only strings can be plaintext secrets: numbers, booleans, intrinsic dicts and the
    symbolic values of `slsguard.model.values` (references) are never reported.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    return _by_format(text) or _aws_secret_key(name, text) or _by_name(name, text)


def looks_secret_name(name: str) -> bool:
    """True when the last meaningful word of `name` designates a secret.

    DB_PASSWORD, STRIPE_API_KEY, jwtSecret, AWS_ACCESS_KEY_ID are secret names;
    TOKEN_TABLE, SECRET_ARN, JWT_SECRET_NAME, KMS_KEY_ID are not (they point at one).
    """
    return _secret_word(name) is not None


def _secret_word(name: str) -> str | None:
    """The word(s) of `name` that make it a secret name, or None."""
    words: list[str] = [word.lower() for word in _NAME_WORD.findall(name)]
    while words and (words[-1].isdigit() or words[-1] in _QUALIFIER_WORDS):
        words.pop()
    if not words:
        return None
    last = words[-1]
    before = words[-2] if len(words) > 1 else ""
    if last in _SECRET_WORDS or last.endswith(_SECRET_SUFFIXES):
        return last
    if last in ("key", "keys") and before in _KEY_QUALIFIERS:
        return f"{before} {last}"
    if last == "id" and words[-3:-1] == ["access", "key"]:
        return "access key id"
    return None


def _by_format(text: str) -> SecretMatch | None:
    for fmt in _FORMATS:
        match = fmt.pattern.search(text)
        if match:
            low = _is_placeholder(match.group())
            return _match(fmt.kind, low, f"value has the format of {fmt.label}")
    return _password_in_url(text)


def _password_in_url(text: str) -> SecretMatch | None:
    for match in _URL_CREDENTIALS.finditer(text):
        password = match.group("password")
        if _TEMPLATED.search(password):
            continue
        # Local development databases use throwaway credentials.
        low = _is_placeholder(password) or match.group("host").lower() in _LOCAL_HOSTS
        return _match("password-in-url", low, "URL embeds a password (user:password@host)")
    return None


def _aws_secret_key(name: str, text: str) -> SecretMatch | None:
    words = {word.lower() for word in _NAME_WORD.findall(name)}
    aws_name = "aws" in words or {"secret", "key"} <= words
    if not aws_name or not _AWS_SECRET_KEY.fullmatch(text):
        return None
    # Random base64 of this length has all three classes; hex SHAs and words do not.
    if not all(char_class.search(text) for char_class in _CHAR_CLASSES):
        return None
    low = _is_placeholder(text)
    return _match("aws-secret-access-key", low, "value has the format of an AWS secret key")


def _by_name(name: str, text: str) -> SecretMatch | None:
    word = _secret_word(name)
    if word is None or _is_not_literal(text):
        return None
    if _is_placeholder(text) or _normalized(text) == _normalized(name):
        return SecretMatch(
            "secret-name",
            "low",
            f"name designates a secret ({word}) and the value looks like a placeholder; "
            "a committed placeholder is often replaced by a real value in place",
        )
    if len(text) < 4:
        return None
    return SecretMatch(
        "secret-name",
        "medium",
        f"name designates a secret ({word}) and the value is a plaintext literal",
    )


def _is_not_literal(text: str) -> bool:
    """True for values that are not a secret themselves: scalars, references, pointers."""
    lowered = text.lower()
    return (
        lowered in _SCALAR_WORDS
        or _SHORT_NUMBER.fullmatch(text) is not None
        or lowered.startswith(_REFERENCE_PREFIXES)
        or any(mark in lowered for mark in _REFERENCE_MARKS)
        or _URL.match(text) is not None
        or _ENV_REFERENCE.fullmatch(text) is not None
        or _YAML_TAG.match(text) is not None
        or _KMS_CIPHERTEXT.fullmatch(text) is not None
    )


def _is_placeholder(text: str) -> bool:
    return (
        _PLACEHOLDER_MARK.search(text) is not None
        or _SAME_CHAR.fullmatch(text) is not None
        or _normalized(text) in _PLACEHOLDER_WORDS
    )


def _normalized(text: str) -> str:
    return "".join(char for char in text.lower() if char.isalnum())


def _match(kind: str, low: bool, reason: str) -> SecretMatch:
    return SecretMatch(kind, "low" if low else "high", reason)
