"""template.yaml: the properties that keep the stack safe, and the contract other code relies on.

The template is read as plain YAML (CloudFormation short tags become their long JSON form), so
these tests need no AWS account and no network. The directory-index rewrite is run with node.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO / "template.yaml"
INDEX_REWRITE_JS = REPO / "infra" / "cloudfront" / "index_rewrite.js"

FUNCTIONS = (
    "FetchFeedsFunction",
    "RequeueWaitingItemsFunction",
    "RequestDigestFunction",
    "AnalyzeItemFunction",
    "RenderSiteFunction",
    "RebuildSiteFunction",
)
STORAGE_TYPES = frozenset({"AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::S3::Bucket"})
PSEUDO_PARAMETERS = {
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::Region": "ap-northeast-1",
    "AWS::StackName": "frontline",
}


# --- Reading the template --------------------------------------------------------------------


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that reads !Ref, !GetAtt, !Sub… as {"Ref": …}, {"Fn::GetAtt": […]}, …"""


def _construct_short_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_short_tag)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return yaml.load(TEMPLATE_PATH.read_text(encoding="utf-8"), Loader=_CfnLoader)


@pytest.fixture(scope="module")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]


def _props(resources: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return resources[logical_id].get("Properties", {})


def _walk(node: Any) -> Iterator[Any]:
    """Every dict and list nested in `node`, `node` included."""
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        yield from _walk(child)


def _branches(node: Any) -> Iterator[Any]:
    """The values `node` can take: both sides of every Fn::If, AWS::NoValue dropped."""
    if isinstance(node, dict) and set(node) == {"Fn::If"}:
        for side in node["Fn::If"][1:]:
            yield from _branches(side)
    elif node != {"Ref": "AWS::NoValue"}:
        yield node


def _statements(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    statements = document["Statement"]
    for candidate in statements if isinstance(statements, list) else [statements]:
        yield from _branches(candidate)


def _policy_documents(resources: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for resource in resources.values():
        for node in _walk(resource.get("Properties", {})):
            if isinstance(node, dict) and "Statement" in node:
                yield node


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _references(node: Any) -> set[str]:
    """Logical ids and parameters that `node` names through Ref, GetAtt or Sub."""
    names: set[str] = set()
    for item in _walk(node):
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("Ref"), str):
            names.add(item["Ref"])
        if "Fn::GetAtt" in item:
            names.add(item["Fn::GetAtt"][0])
        if "Fn::Sub" in item:
            text = _as_list(item["Fn::Sub"])[0]
            names.update(name.split(".")[0] for name in re.findall(r"\$\{([^}!]+)\}", text))
    return names


# --- A small evaluator for the parameter-driven parts ----------------------------------------


def _evaluate(node: Any, template: dict[str, Any], parameters: dict[str, str]) -> Any:
    """Resolve Ref/Sub/Select/Split/Join/If/conditions against parameter values."""

    def condition(name: str) -> bool:
        return bool(resolve(template["Conditions"][name]))

    def substitute(text: str, variables: dict[str, Any]) -> str:
        # Resource attributes (${Table.Arn}) are only known once deployed: left as written.
        return re.sub(
            r"\$\{([^}]+)\}",
            lambda match: str(variables.get(match.group(1), match.group(0))),
            text,
        )

    def resolve(value: Any) -> Any:
        if isinstance(value, list):
            return [resolved for item in value if (resolved := resolve(item)) is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            return {key: resolve(item) for key, item in value.items()}
        ((key, argument),) = value.items()
        match key:
            case "Ref" if argument == "AWS::NoValue":
                return _NO_VALUE
            case "Ref":
                return {**PSEUDO_PARAMETERS, **parameters}[argument]
            case "Condition":
                return condition(argument)
            case "Fn::Sub":
                text, extra = (argument, {}) if isinstance(argument, str) else argument
                variables = {**PSEUDO_PARAMETERS, **parameters}
                variables |= {name: resolve(item) for name, item in extra.items()}
                return substitute(text, variables)
            case "Fn::Select":
                return resolve(argument[1])[int(argument[0])]
            case "Fn::Split":
                return resolve(argument[1]).split(argument[0])
            case "Fn::Join":
                return argument[0].join(resolve(argument[1]))
            case "Fn::If":
                return resolve(argument[1] if condition(argument[0]) else argument[2])
            case "Fn::Equals":
                return resolve(argument[0]) == resolve(argument[1])
            case "Fn::Not":
                return not resolve(argument[0])
            case "Fn::And":
                return all(resolve(item) for item in argument)
            case "Fn::Or":
                return any(resolve(item) for item in argument)
        return {key: resolve(argument)}

    return resolve(node)


_NO_VALUE = object()


def _parameters(template: dict[str, Any], **overrides: str) -> dict[str, str]:
    values = {name: str(spec.get("Default", "")) for name, spec in template["Parameters"].items()}
    return values | overrides


# --- Layout and contract ---------------------------------------------------------------------


def test_template_reads_top_to_bottom(template: dict[str, Any]) -> None:
    assert list(template) == [
        "AWSTemplateFormatVersion",
        "Transform",
        "Description",
        "Parameters",
        "Conditions",
        "Globals",
        "Resources",
        "Outputs",
    ]


def test_every_parameter_is_described_and_its_default_is_allowed(
    template: dict[str, Any],
) -> None:
    for name, spec in template["Parameters"].items():
        assert spec.get("Description"), name
        default = str(spec.get("Default", ""))
        if "AllowedValues" in spec:
            assert default in [str(value) for value in spec["AllowedValues"]], name
        if "AllowedPattern" in spec:
            assert re.fullmatch(spec["AllowedPattern"], default), name


@pytest.mark.parametrize(
    ("model_id", "allowed"),
    [
        ("global.anthropic.claude-haiku-4-5-20251001-v1:0", True),
        ("jp.anthropic.claude-haiku-4-5-20251001-v1:0", True),
        ("apac.amazon.nova-lite-v1:0", True),
        ("amazon.nova-lite-v1:0", True),
        ("claude-haiku", False),
        ("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0", False),
        ("global.anthropic.claude.haiku-v1:0", False),
    ],
)
def test_bedrock_model_id_pattern(template: dict[str, Any], model_id: str, allowed: bool) -> None:
    pattern = template["Parameters"]["BedrockModelId"]["AllowedPattern"]

    assert bool(re.fullmatch(pattern, model_id)) is allowed


@pytest.mark.parametrize(
    ("expression", "allowed"),
    [
        ("rate(1 hour)", True),
        ("rate(30 minutes)", True),
        ("cron(5 * * * ? *)", True),
        ("rate(0 hours)", False),
        ("cron(5 * * *)", False),
        ("every hour", False),
    ],
)
def test_fetch_schedule_pattern(template: dict[str, Any], expression: str, allowed: bool) -> None:
    pattern = template["Parameters"]["FetchSchedule"]["AllowedPattern"]

    assert bool(re.fullmatch(pattern, expression)) is allowed


def test_logical_ids_other_code_relies_on(resources: dict[str, Any]) -> None:
    expected = {
        "SharedLayer": "AWS::Serverless::LayerVersion",
        "ConfigLayer": "AWS::Serverless::LayerVersion",
        "FetchFeedsFunction": "AWS::Serverless::Function",
        "RequeueWaitingItemsFunction": "AWS::Serverless::Function",
        "RequestDigestFunction": "AWS::Serverless::Function",
        "AnalyzeItemFunction": "AWS::Serverless::Function",
        "RenderSiteFunction": "AWS::Serverless::Function",
        "ItemQueue": "AWS::SQS::Queue",
        "ItemDeadLetterQueue": "AWS::SQS::Queue",
        "RenderFailureQueue": "AWS::SQS::Queue",
        "Table": "AWS::DynamoDB::Table",
        "SiteBucket": "AWS::S3::Bucket",
        "SiteBucketPolicy": "AWS::S3::BucketPolicy",
        "SiteOriginAccessControl": "AWS::CloudFront::OriginAccessControl",
        "IndexRewriteFunction": "AWS::CloudFront::Function",
        "SecurityHeadersPolicy": "AWS::CloudFront::ResponseHeadersPolicy",
        "SiteDistribution": "AWS::CloudFront::Distribution",
        "DeadLetterQueueAlarm": "AWS::CloudWatch::Alarm",
        "RenderFailureAlarm": "AWS::CloudWatch::Alarm",
    }

    assert {name: resources[name]["Type"] for name in expected} == expected


def test_outputs_other_code_relies_on(template: dict[str, Any]) -> None:
    assert {
        "SiteUrl",
        "SiteBucketName",
        "TableName",
        "ItemQueueUrl",
        "DeadLetterQueueUrl",
        "DistributionId",
    } <= set(template["Outputs"])


def test_environment_each_function_receives(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    shared = set(template["Globals"]["Function"]["Environment"]["Variables"])
    own = {name: set(_props(resources, name)["Environment"]["Variables"]) for name in FUNCTIONS}

    assert shared == {
        "TABLE_NAME",
        "SITE_TITLE",
        "SITE_TAGLINE",
        "SITE_URL",
        "CONFIG_DIR",
        "POWERTOOLS_SERVICE_NAME",
        "POWERTOOLS_METRICS_NAMESPACE",
        "POWERTOOLS_LOG_LEVEL",
    }
    assert template["Globals"]["Function"]["Environment"]["Variables"]["CONFIG_DIR"] == "/opt"
    assert own == {
        "FetchFeedsFunction": {"QUEUE_URL"},
        "RequeueWaitingItemsFunction": {"QUEUE_URL", "LLM_PROVIDER"},
        "RequestDigestFunction": {"QUEUE_URL"},
        "AnalyzeItemFunction": {
            "LLM_PROVIDER",
            "BEDROCK_MODEL_ID",
            "DAILY_BUDGET_USD",
            "QUEUE_URL",
            "DEAD_LETTER_QUEUE_URL",
            "OPENAI_BASE_URL",
            "OPENAI_MODEL",
            "OPENAI_API_KEY_SECRET_ARN",
            "STORY_WINDOW_HOURS",
            "STORY_REANALYSIS_CAP",
            "EMBEDDING_MODEL_ID",
        },
        "RenderSiteFunction": {"SITE_BUCKET", "DISTRIBUTION_ID"},
        "RebuildSiteFunction": {"SITE_BUCKET", "DISTRIBUTION_ID"},
    }


def test_functions_run_python_313_on_arm64_with_both_layers(template: dict[str, Any]) -> None:
    function_globals = template["Globals"]["Function"]

    assert function_globals["Runtime"] == "python3.13"
    assert function_globals["Architectures"] == ["arm64"]
    assert function_globals["Layers"] == [{"Ref": "SharedLayer"}, {"Ref": "ConfigLayer"}]
    assert function_globals["Tracing"] == "Active"
    assert function_globals["LoggingConfig"]["LogFormat"] == "JSON"


def test_shared_layer_is_built_for_arm64(resources: dict[str, Any]) -> None:
    layer = resources["SharedLayer"]

    assert layer["Properties"]["ContentUri"] == "layers/shared"
    assert layer["Metadata"] == {"BuildMethod": "python3.13", "BuildArchitecture": "arm64"}
    assert "Metadata" not in resources["ConfigLayer"]  # plain zip: config/x.yaml -> /opt/x.yaml


def test_only_the_renderers_carry_the_search_layer(resources: dict[str, Any]) -> None:
    layer = resources["SearchLayer"]
    assert layer["Properties"]["ContentUri"] == "layers/search"
    assert layer["Metadata"] == {"BuildMethod": "makefile", "BuildArchitecture": "arm64"}
    carriers = [
        name
        for name, resource in resources.items()
        if {"Ref": "SearchLayer"} in resource.get("Properties", {}).get("Layers", [])
    ]
    assert carriers == ["RenderSiteFunction", "RebuildSiteFunction"]


# --- IAM -------------------------------------------------------------------------------------


def test_no_allow_statement_grants_a_wildcard_action(resources: dict[str, Any]) -> None:
    for document in _policy_documents(resources):
        for statement in _statements(document):
            actions = _as_list(statement.get("Action", []))
            if statement["Effect"] == "Allow":
                assert "NotAction" not in statement
                assert not [action for action in actions if "*" in action], statement
            elif any("*" in action for action in actions):
                # A wildcard only widens a Deny, and only the TLS-only guard needs it.
                assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_each_function_has_its_own_role_and_no_managed_policies(
    resources: dict[str, Any],
) -> None:
    roles = [_props(resources, name)["Role"]["Fn::GetAtt"][0] for name in FUNCTIONS]

    assert len(set(roles)) == len(FUNCTIONS)
    for role in roles:
        assert resources[role]["Type"] == "AWS::IAM::Role"
        assert "ManagedPolicyArns" not in _props(resources, role)
    for name in FUNCTIONS:
        assert "Policies" not in _props(resources, name)  # SAM would attach managed policies


def test_deployed_roles_add_no_hidden_permissions(template: dict[str, Any]) -> None:
    """After the SAM transform (which adds the scheduler roles) nothing broader appears."""
    boto3 = pytest.importorskip("boto3")
    translator_module = pytest.importorskip("samtranslator.translator.translator")
    parser_module = pytest.importorskip("samtranslator.parser.parser")
    translator = translator_module.Translator(
        None, parser_module.Parser(), boto_session=boto3.Session(region_name="ap-northeast-1")
    )

    def no_managed_policies() -> dict[str, str]:
        raise AssertionError("the template must not need AWS managed policies")

    packaged = json.loads(json.dumps(template))
    for resource in packaged["Resources"].values():  # as `sam package` leaves it
        for uri in ("CodeUri", "ContentUri"):
            if uri in resource.get("Properties", {}):
                resource["Properties"][uri] = "s3://artifacts/frontline.zip"

    transformed = translator.translate(packaged, {}, get_managed_policy_map=no_managed_policies)
    generated = transformed["Resources"]

    roles = {name: r for name, r in generated.items() if r["Type"] == "AWS::IAM::Role"}
    assert len(roles) == len(FUNCTIONS) + 7  # plus one per schedule, and the state machine's
    for name, role in roles.items():
        assert "ManagedPolicyArns" not in role["Properties"], name
        for policy in role["Properties"].get("Policies", []):
            for statement in _statements(policy["PolicyDocument"]):
                actions = _as_list(statement["Action"])
                assert not [action for action in actions if "*" in action], (name, statement)


def _role_statements(resources: dict[str, Any], role: str) -> list[dict[str, Any]]:
    return [
        statement
        for policy in _props(resources, role)["Policies"]
        for statement in _statements(policy["PolicyDocument"])
    ]


def test_fetch_writes_only_claim_and_feed_keys_of_the_table(resources: dict[str, Any]) -> None:
    """moto cannot evaluate dynamodb:LeadingKeys: every fetch grant on the table itself (not
    an index) carries the condition, and it admits ITEM#, URL# (source-URL claims), FEED# and
    ARTICLE# (an opted-out source's articles, withdrawn) partitions only."""
    on_table = [
        statement
        for statement in _role_statements(resources, "FetchFeedsRole")
        if statement["Resource"] == {"Fn::GetAtt": ["Table", "Arn"]}
    ]

    assert [s["Sid"] for s in on_table] == ["ClaimItemsAndKeepFeedState"]
    assert on_table[0]["Condition"] == {
        "ForAllValues:StringLike": {
            "dynamodb:LeadingKeys": ["ITEM#*", "URL#*", "FEED#*", "ARTICLE#*"]
        }
    }
    assert set(on_table[0]["Action"]) == {
        "dynamodb:BatchGetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    }


def test_only_the_conditions_the_local_run_cannot_judge_exist(resources: dict[str, Any]) -> None:
    """Every condition on a function role is one of those checked here (moto drops them)."""
    conditions = {
        (role, statement["Sid"]): set(statement["Condition"])
        for role in ("FetchFeedsRole", "AnalyzeItemRole", "RenderSiteRole")
        for statement in _role_statements(resources, role)
        if "Condition" in statement
    }

    assert conditions == {
        ("FetchFeedsRole", "ClaimItemsAndKeepFeedState"): {"ForAllValues:StringLike"},
        ("AnalyzeItemRole", "InvokeProfileModelInDestinationRegions"): {"ArnEquals"},
    }


def test_digests_can_read_the_public_index(resources: dict[str, Any]) -> None:
    [statement] = [
        s
        for s in _role_statements(resources, "AnalyzeItemRole")
        if s["Sid"] == "ReadPeriodArticlesForDigests"
    ]

    assert statement["Action"] == "dynamodb:Query"
    assert statement["Resource"] == {"Fn::Sub": "${Table.Arn}/index/ByPublished"}


def _bedrock_resources(template: dict[str, Any], model_id: str) -> list[tuple[str, Any]]:
    """(resource ARN, condition) pairs for bedrock:InvokeModel with BedrockModelId=model_id."""
    policy = _props(template["Resources"], "AnalyzeItemRole")["Policies"][0]["PolicyDocument"]
    parameters = _parameters(template, BedrockModelId=model_id)
    granted: list[tuple[str, Any]] = []
    for statement in _evaluate(policy, template, parameters)["Statement"]:
        if "bedrock:InvokeModel" in _as_list(statement["Action"]):
            assert _as_list(statement["Action"]) == ["bedrock:InvokeModel"]
            condition = statement.get("Condition")
            granted += [(arn, condition) for arn in _as_list(statement["Resource"])]
    return granted


def test_bedrock_inference_profile_grants_the_profile_and_its_model_only(
    template: dict[str, Any],
) -> None:
    model = "anthropic.claude-haiku-4-5-20251001-v1:0"
    profile = f"arn:aws:bedrock:ap-northeast-1:123456789012:inference-profile/global.{model}"
    through_profile = {"ArnEquals": {"bedrock:InferenceProfileArn": profile}}

    granted = _bedrock_resources(template, f"global.{model}")

    assert granted == [
        (profile, None),
        (f"arn:aws:bedrock:*::foundation-model/{model}", through_profile),
        (f"arn:aws:bedrock:::foundation-model/{model}", through_profile),
    ]


def test_bedrock_foundation_model_grants_that_model_in_this_region(
    template: dict[str, Any],
) -> None:
    granted = _bedrock_resources(template, "amazon.nova-lite-v1:0")

    assert granted == [
        ("arn:aws:bedrock:ap-northeast-1::foundation-model/amazon.nova-lite-v1:0", None)
    ]


def test_openai_secret_is_readable_only_when_configured(template: dict[str, Any]) -> None:
    policy = _props(template["Resources"], "AnalyzeItemRole")["Policies"][0]["PolicyDocument"]
    secret = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:frontline/openai-AbCdEf"

    def secret_statements(**overrides: str) -> list[dict[str, Any]]:
        document = _evaluate(policy, template, _parameters(template, **overrides))
        return [s for s in document["Statement"] if s["Sid"] == "ReadOpenAiApiKey"]

    assert secret_statements() == []
    assert secret_statements(OpenAiApiKeySecretArn=secret) == [
        {
            "Sid": "ReadOpenAiApiKey",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": secret,
        }
    ]


# --- Schedule, queue and analysis ------------------------------------------------------------


def test_fetch_runs_on_the_configured_schedule_in_tokyo_time(resources: dict[str, Any]) -> None:
    event = _props(resources, "FetchFeedsFunction")["Events"]["Scheduled"]

    assert event["Type"] == "ScheduleV2"
    assert event["Properties"]["ScheduleExpression"] == {"Ref": "FetchSchedule"}
    assert event["Properties"]["ScheduleExpressionTimezone"] == "Asia/Tokyo"
    assert event["Properties"]["DeadLetterConfig"] == {
        "Arn": {"Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]}
    }


def test_every_queue_is_encrypted(resources: dict[str, Any]) -> None:
    queues = [name for name, r in resources.items() if r["Type"] == "AWS::SQS::Queue"]

    assert queues
    for name in queues:
        assert _props(resources, name)["SqsManagedSseEnabled"] is True, name


def test_item_queue_outlasts_retries_and_redrives_to_the_dead_letter_queue(
    resources: dict[str, Any],
) -> None:
    queue = _props(resources, "ItemQueue")
    analyze_timeout = _props(resources, "AnalyzeItemFunction")["Timeout"]

    assert queue["VisibilityTimeout"] >= 6 * analyze_timeout
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["ItemDeadLetterQueue", "Arn"]},
        "maxReceiveCount": 5,
    }
    assert _props(resources, "ItemDeadLetterQueue")["MessageRetentionPeriod"] == 14 * 24 * 3600
    # 6x the analysis function's timeout plus the batching window, as AWS advises.
    assert _props(resources, "ItemQueue")["VisibilityTimeout"] == 6 * 120 + 10


def test_analysis_reports_partial_batch_failures_with_bounded_concurrency(
    resources: dict[str, Any],
) -> None:
    event = _props(resources, "AnalyzeItemFunction")["Events"]["Items"]

    assert event["Type"] == "SQS"
    assert event["Properties"]["Queue"] == {"Fn::GetAtt": ["ItemQueue", "Arn"]}
    assert event["Properties"]["BatchSize"] == 5
    assert event["Properties"]["MaximumBatchingWindowInSeconds"] == 10  # full batches
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert event["Properties"]["ScalingConfig"] == {
        "MaximumConcurrency": {"Ref": "AnalyzeMaxConcurrency"}
    }


# --- Store -----------------------------------------------------------------------------------


def test_table_keys_index_stream_and_protection(resources: dict[str, Any]) -> None:
    table = resources["Table"]
    properties = table["Properties"]

    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert properties["GlobalSecondaryIndexes"] == [
        {
            "IndexName": "ByPublished",
            "KeySchema": [
                {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        },
        {
            "IndexName": "NeedsAnalysis",
            "KeySchema": [
                {"AttributeName": "gsi2pk", "KeyType": "HASH"},
                {"AttributeName": "gsi2sk", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        },
        {
            "IndexName": "Unqueued",
            "KeySchema": [
                {"AttributeName": "gsi3pk", "KeyType": "HASH"},
                {"AttributeName": "gsi3sk", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        },
        {
            "IndexName": "ByListing",
            "KeySchema": [
                {"AttributeName": "gsi4pk", "KeyType": "HASH"},
                {"AttributeName": "gsi4sk", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        },
    ]
    assert {a["AttributeName"]: a["AttributeType"] for a in properties["AttributeDefinitions"]} == {
        "pk": "S",
        "sk": "S",
        "gsi1pk": "S",
        "gsi1sk": "S",
        "gsi2pk": "S",
        "gsi2sk": "S",
        "gsi3pk": "S",
        "gsi3sk": "S",
        "gsi4pk": "S",
        "gsi4sk": "S",
    }
    assert properties["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_storage_resources_stand_alone_for_the_local_emulator(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    storage = {name for name, r in resources.items() if r["Type"] in STORAGE_TYPES}
    allowed = storage | set(template["Parameters"]) | set(PSEUDO_PARAMETERS)

    for name in storage:
        properties = _props(resources, name)
        assert _references(resources[name]) <= allowed, name
        assert not {"TableName", "QueueName", "BucketName"} & set(properties), name


# --- Render ----------------------------------------------------------------------------------


def test_render_runs_one_at_a_time(resources: dict[str, Any]) -> None:
    assert _props(resources, "RenderSiteFunction")["ReservedConcurrentExecutions"] == 1


def test_render_follows_article_changes_and_reports_failed_batches(
    resources: dict[str, Any],
) -> None:
    event = _props(resources, "RenderSiteFunction")["Events"]["ArticleChanges"]
    properties = event["Properties"]

    assert event["Type"] == "DynamoDB"
    assert properties["Stream"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    assert properties["StartingPosition"] == "LATEST"
    assert properties["BisectBatchOnFunctionError"] is True
    assert properties["MaximumRetryAttempts"] == 3
    assert properties["DestinationConfig"] == {
        "OnFailure": {"Destination": {"Fn::GetAtt": ["RenderFailureQueue", "Arn"]}}
    }
    patterns = [json.loads(entry["Pattern"]) for entry in properties["FilterCriteria"]["Filters"]]
    assert patterns == [
        {"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "ARTICLE#"}]}}}},
        {"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "DIGEST#"}]}}}},
        {"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "FEED#"}]}}}},
    ]


@pytest.mark.parametrize(
    ("event_name", "cron", "kind"),
    [
        ("DailyDigest", "cron(0 7 * * ? *)", "daily"),
        ("WeeklyDigest", "cron(0 7 ? * MON *)", "weekly"),
    ],
)
def test_digests_are_requested_at_seven_in_the_morning_japan_time(
    resources: dict[str, Any], event_name: str, cron: str, kind: str
) -> None:
    event = _props(resources, "RequestDigestFunction")["Events"][event_name]

    assert event["Type"] == "ScheduleV2"
    assert event["Properties"]["ScheduleExpression"] == cron
    assert event["Properties"]["ScheduleExpressionTimezone"] == "Asia/Tokyo"
    assert json.loads(event["Properties"]["Input"]) == {"kind": kind}
    assert event["Properties"]["DeadLetterConfig"] == {
        "Arn": {"Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]}
    }


def test_each_scheduled_job_runs_in_the_function_named_for_it(resources: dict[str, Any]) -> None:
    events = {name: set(_props(resources, name).get("Events", {})) for name in FUNCTIONS}

    assert events["FetchFeedsFunction"] == {"Scheduled"}
    assert events["RequeueWaitingItemsFunction"] == {"AfterBudgetReset"}
    assert events["RequestDigestFunction"] == {"DailyDigest", "WeeklyDigest"}
    requeue = _props(resources, "RequeueWaitingItemsFunction")["Events"]["AfterBudgetReset"]
    assert requeue["Properties"]["ScheduleExpression"] == "cron(10 0 * * ? *)"
    assert requeue["Properties"]["ScheduleExpressionTimezone"] == "Asia/Tokyo"


def test_the_job_roles_hold_only_what_their_job_needs(resources: dict[str, Any]) -> None:
    def granted(role: str) -> dict[str, list[str]]:
        document = _props(resources, role)["Policies"][0]["PolicyDocument"]
        return {s["Sid"]: sorted(_as_list(s["Action"])) for s in _statements(document)}

    logs_and_traces = {
        "WriteOwnLogs": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "SendTraces": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
    }
    assert granted("RequeueWaitingItemsRole") == logs_and_traces | {
        "FindArticlesWaitingForAnalysis": ["dynamodb:Query"],
        "EnqueueWaitingItems": ["sqs:SendMessage"],
        "ReportFailedScheduledRuns": ["sqs:SendMessage"],
    }
    assert granted("RequestDigestRole") == logs_and_traces | {
        "EnqueueDigestRequest": ["sqs:SendMessage"],
        "ReportFailedScheduledRuns": ["sqs:SendMessage"],
    }
    assert "FindArticlesWaitingForAnalysis" not in granted("FetchFeedsRole")


def test_the_site_is_rebuilt_nightly_by_the_state_machine_in_partitions(
    resources: dict[str, Any], template: dict[str, Any]
) -> None:
    machine = _props(resources, "RebuildStateMachine")
    event = machine["Events"]["NightlyRebuild"]
    states = machine["Definition"]["States"]
    fan_out = states["Partitions"]

    assert "NightlyRebuild" not in _props(resources, "RenderSiteFunction")["Events"]
    assert event["Type"] == "ScheduleV2"
    assert event["Properties"]["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert event["Properties"]["ScheduleExpressionTimezone"] == "Asia/Tokyo"
    concurrency = _parameters(template, RebuildMaxConcurrency="12")
    assert json.loads(_evaluate(event["Properties"]["Input"], template, concurrency)) == {
        "max_concurrency": 12
    }
    assert machine["DefinitionSubstitutions"]["RebuildSiteFunctionArn"] == {
        "Fn::GetAtt": ["RebuildSiteFunction", "Arn"]
    }
    assert [states["Plan"]["Next"], fan_out["Next"]] == ["Partitions", "Finish"]
    assert fan_out["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert fan_out["ItemsPath"] == "$.plan.partitions"
    assert fan_out["MaxConcurrencyPath"] == "$.max_concurrency"
    assert fan_out["ItemSelector"]["step"] == "partition"
    assert states["Plan"]["Parameters"]["Payload"]["step"] == "plan"
    assert states["Finish"]["Parameters"]["Payload"]["step"] == "finish"


def test_site_url_is_the_custom_domain_when_one_is_configured(template: dict[str, Any]) -> None:
    site_url = template["Globals"]["Function"]["Environment"]["Variables"]["SITE_URL"]
    certificate = "arn:aws:acm:us-east-1:123456789012:certificate/" + "0" * 36
    custom = _parameters(template, DomainName="news.example.com", CertificateArn=certificate)

    assert _evaluate(site_url, template, custom) == "https://news.example.com"
    assert site_url["Fn::If"][2] == {"Fn::Sub": "https://${SiteDistribution.DomainName}"}
    assert template["Outputs"]["SiteUrl"]["Value"] == site_url


# --- Bucket and CDN --------------------------------------------------------------------------


def test_site_bucket_is_private_encrypted_and_versioned(resources: dict[str, Any]) -> None:
    bucket = _props(resources, "SiteBucket")

    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    [encryption] = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    [rule] = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled"
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}


def test_bucket_policy_denies_plain_http_and_admits_only_this_distribution(
    resources: dict[str, Any],
) -> None:
    policy = _props(resources, "SiteBucketPolicy")
    statements = {s["Sid"]: s for s in _statements(policy["PolicyDocument"])}
    distribution_arn = {
        "Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}"
        ":distribution/${SiteDistribution}"
    }

    assert policy["Bucket"] == {"Ref": "SiteBucket"}
    deny = statements.pop("DenyInsecureTransport")
    assert deny["Effect"] == "Deny"
    assert deny["Principal"] == "*"
    assert deny["Action"] == "s3:*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert {json.dumps(r, sort_keys=True) for r in deny["Resource"]} == {
        json.dumps({"Fn::GetAtt": ["SiteBucket", "Arn"]}, sort_keys=True),
        json.dumps({"Fn::Sub": "${SiteBucket.Arn}/*"}, sort_keys=True),
    }
    assert {s["Action"] for s in statements.values()} == {"s3:GetObject", "s3:ListBucket"}
    for statement in statements.values():
        assert statement["Effect"] == "Allow"
        assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        assert statement["Condition"] == {"StringEquals": {"AWS:SourceArn": distribution_arn}}


def test_index_rewrite_inline_code_is_the_repository_file(resources: dict[str, Any]) -> None:
    function = _props(resources, "IndexRewriteFunction")

    assert function["FunctionCode"] == INDEX_REWRITE_JS.read_text(encoding="utf-8")
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert function["AutoPublish"] is True


def test_distribution_serves_the_private_bucket_over_https_only(
    resources: dict[str, Any],
) -> None:
    config = _props(resources, "SiteDistribution")["DistributionConfig"]
    [origin] = config["Origins"]
    behaviour = config["DefaultCacheBehavior"]

    assert config["HttpVersion"] == "http2and3"
    assert config["DefaultRootObject"] == "index.html"
    assert config["PriceClass"] == {"Ref": "PriceClass"}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    assert behaviour["TargetOriginId"] == origin["Id"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["Compress"] is True
    assert behaviour["CachePolicyId"] == "658327ea-f89d-4fab-a63d-7e88639e58f6"  # CachingOptimized
    assert behaviour["ResponseHeadersPolicyId"] == {"Fn::GetAtt": ["SecurityHeadersPolicy", "Id"]}
    assert behaviour["FunctionAssociations"] == [
        {
            "EventType": "viewer-request",
            "FunctionARN": {"Fn::GetAtt": ["IndexRewriteFunction", "FunctionARN"]},
        }
    ]
    assert {
        (e["ErrorCode"], e["ResponseCode"], e["ResponsePagePath"])
        for e in config["CustomErrorResponses"]
    } == {(404, 404, "/404.html"), (403, 404, "/404.html")}
    oac = _props(resources, "SiteOriginAccessControl")["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"]) == ("s3", "always")


def test_distribution_uses_the_custom_certificate_only_when_configured(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    config = _props(resources, "SiteDistribution")["DistributionConfig"]
    certificate = "arn:aws:acm:us-east-1:123456789012:certificate/" + "0" * 36
    custom = _parameters(template, DomainName="news.example.com", CertificateArn=certificate)
    domain_only = _parameters(template, DomainName="news.example.com")

    assert _evaluate(config["Aliases"], template, custom) == ["news.example.com"]
    assert _evaluate(config["ViewerCertificate"], template, custom) == {
        "AcmCertificateArn": certificate,
        "SslSupportMethod": "sni-only",
        "MinimumProtocolVersion": "TLSv1.2_2021",
    }
    for parameters in (_parameters(template), domain_only):
        assert _evaluate(config["Aliases"], template, parameters) is _NO_VALUE
        assert _evaluate(config["ViewerCertificate"], template, parameters) == {
            "CloudFrontDefaultCertificate": True
        }


def test_security_headers(resources: dict[str, Any]) -> None:
    headers = _props(resources, "SecurityHeadersPolicy")["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"
    ]
    csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    directives = {
        name: value for name, _, value in (part.strip().partition(" ") for part in csp.split(";"))
    }

    assert headers["StrictTransportSecurity"] == {
        "AccessControlMaxAgeSec": 63072000,
        "IncludeSubdomains": True,
        "Preload": True,
        "Override": True,
    }
    assert directives == {
        "default-src": "'self'",
        "img-src": "'self' https: data:",
        "script-src": "'self' 'wasm-unsafe-eval'",  # Pagefind's WebAssembly, no eval()
        "style-src": "'self'",
        "frame-src": "https://www.youtube-nocookie.com",
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "object-src": "'none'",
    }
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    assert headers["FrameOptions"]["FrameOption"] == "DENY"


# --- Logs and alarms -------------------------------------------------------------------------


@pytest.mark.parametrize("function", FUNCTIONS)
def test_function_logs_to_its_own_group_with_retention(
    resources: dict[str, Any], function: str
) -> None:
    properties = _props(resources, function)
    log_group = properties["LoggingConfig"]["LogGroup"]["Ref"]
    role = properties["Role"]["Fn::GetAtt"][0]
    [log_statement] = [
        s
        for s in _statements(_props(resources, role)["Policies"][0]["PolicyDocument"])
        if s["Sid"] == "WriteOwnLogs"
    ]

    assert resources[log_group]["Type"] == "AWS::Logs::LogGroup"
    assert _props(resources, log_group)["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert log_statement["Resource"] == {"Fn::GetAtt": [log_group, "Arn"]}


@pytest.mark.parametrize(
    ("alarm", "queue"),
    [("DeadLetterQueueAlarm", "ItemDeadLetterQueue"), ("RenderFailureAlarm", "RenderFailureQueue")],
)
def test_failure_queues_alarm_on_their_first_message(
    resources: dict[str, Any], alarm: str, queue: str
) -> None:
    properties = _props(resources, alarm)

    assert properties["Namespace"] == "AWS/SQS"
    assert properties["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert properties["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}
    ]
    assert properties["ComparisonOperator"] == "GreaterThanThreshold"
    assert properties["Threshold"] == 0


def test_every_function_has_an_errors_alarm(resources: dict[str, Any]) -> None:
    watched = {
        _props(resources, name)["Dimensions"][0]["Value"]["Ref"]
        for name, resource in resources.items()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
        and _props(resources, name).get("MetricName") == "Errors"  # not a metric-math alarm
    }

    assert watched == set(FUNCTIONS)


def test_an_alarm_fires_after_the_configured_hours_without_a_new_article(
    resources: dict[str, Any],
) -> None:
    alarm = _props(resources, "NoNewArticleAlarm")
    stored = {metric["Id"]: metric for metric in alarm["Metrics"]}

    assert alarm["EvaluationPeriods"] == {"Ref": "NoNewArticleAlarmHours"}
    assert alarm["DatapointsToAlarm"] == {"Ref": "NoNewArticleAlarmHours"}
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("LessThanThreshold", 1)
    assert alarm["TreatMissingData"] == "breaching"  # an hour without the metric stored nothing
    names = {m["MetricStat"]["Metric"]["MetricName"] for m in stored.values() if "MetricStat" in m}
    # the worker's counts (functions/analyze_item: Articles_<status>) of every public status
    assert names == {f"Articles_{status}" for status in ("published", "untranslated", "degraded")}
    assert {m["MetricStat"]["Period"] for m in stored.values() if "MetricStat" in m} == {3600}


def test_the_dashboard_shows_the_pipeline_metrics(resources: dict[str, Any]) -> None:
    body = _props(resources, "OperationsDashboard")["DashboardBody"]["Fn::Sub"]
    widgets = json.loads(re.sub(r"\$\{[^}]+\}", "x", body))["widgets"]

    metrics = {
        metric[1]
        for widget in widgets
        for metric in widget["properties"]["metrics"]
        if isinstance(metric[1], str) and metric[1] not in {"...", "."}
    }
    assert {
        "NewItems",
        "Articles_published",
        "Articles_degraded",
        "Articles_untranslated",
        "CostMicroUsd",
        "ApproximateNumberOfMessagesVisible",
        "Duration",
    } <= metrics


# --- The directory-index rewrite, run for real -----------------------------------------------

_RUN_HANDLER = """
const fs = require('fs');
const code = fs.readFileSync(process.argv[1], 'utf8');
const handler = new Function('"use strict";\\n' + code + '\\nreturn handler;')();
const uri = process.argv[2];
process.stdout.write(handler({ request: { uri: uri, headers: {} } }).uri);
"""


@pytest.mark.parametrize(
    ("uri", "rewritten"),
    [
        ("/", "/index.html"),
        ("/news/", "/news/index.html"),
        ("/news", "/news/index.html"),
        ("/news/page/2", "/news/page/2/index.html"),
        ("/style.abc123.css", "/style.abc123.css"),
        ("/feed.xml", "/feed.xml"),
        ("/v1.2/", "/v1.2/index.html"),
        ("/tags/%E8%92%B8%E7%95%99/", "/tags/%E8%92%B8%E7%95%99/index.html"),
    ],
)
def test_index_rewrite(uri: str, rewritten: str) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the CloudFront function cannot be run locally")

    result = subprocess.run(
        [node, "-e", _RUN_HANDLER, str(INDEX_REWRITE_JS), uri],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )

    assert result.stdout == rewritten


# --- Hardening: retention, failed scheduled runs, access logs, checkov suppressions ----------


def test_queues_log_groups_and_logs_outlive_the_stack(resources: dict[str, Any]) -> None:
    kept = {
        name: (resource.get("DeletionPolicy"), resource.get("UpdateReplacePolicy"))
        for name, resource in resources.items()
        if resource["Type"] in {"AWS::SQS::Queue", "AWS::Logs::LogGroup"}
        or name == "AccessLogBucket"
    }

    functions = [n for n, r in resources.items() if r["Type"] == "AWS::Serverless::Function"]
    # four queues, a log group each, the rebuild state machine's, access logs
    assert len(kept) == 4 + len(functions) + 1 + 1
    assert set(kept.values()) == {("Retain", "Retain")}


def _scheduled_functions(resources: dict[str, Any]) -> list[str]:
    return [
        name
        for name, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
        and any(
            e["Type"] == "ScheduleV2" for e in _props(resources, name).get("Events", {}).values()
        )
    ]


def test_a_failed_scheduled_run_is_retried_then_kept_and_alarmed(resources: dict[str, Any]) -> None:
    """Scheduler retries delivery; Lambda retries a run that fails (a digest request) twice,
    then its event and error land in ScheduleDeadLetterQueue, whose alarm fires."""
    dead_letters = {"Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]}
    scheduled = _scheduled_functions(resources)

    assert set(scheduled) >= {"FetchFeedsFunction", "RenderSiteFunction"}
    for name in scheduled:
        properties = _props(resources, name)
        assert properties["DeadLetterQueue"] == {"Type": "SQS", "TargetArn": dead_letters}, name
        assert properties["EventInvokeConfig"]["MaximumRetryAttempts"] == 2, name
        role = properties["Role"]["Fn::GetAtt"][0]
        grants = [s for s in _role_statements(resources, role) if s["Resource"] == dead_letters]
        assert [(s["Action"], s["Effect"]) for s in grants] == [("sqs:SendMessage", "Allow")]
        for event_name, event in properties["Events"].items():
            if event["Type"] == "ScheduleV2":
                assert event["Properties"]["DeadLetterConfig"] == {"Arn": dead_letters}, name
                # the minute's drain is superseded by the next minute's, so it is not retried
                retries = 0 if event_name == "DrainBacklog" else 3
                assert event["Properties"]["RetryPolicy"]["MaximumRetryAttempts"] == retries
    alarm = _props(resources, "ScheduleDeadLetterAlarm")
    assert alarm["Dimensions"][0]["Value"] == {
        "Fn::GetAtt": ["ScheduleDeadLetterQueue", "QueueName"]
    }


def test_cloudfront_access_logs_are_private_and_expire(resources: dict[str, Any]) -> None:
    logging = _props(resources, "SiteDistribution")["DistributionConfig"]["Logging"]
    bucket = _props(resources, "AccessLogBucket")
    [rule] = bucket["LifecycleConfiguration"]["Rules"]
    [deny] = _props(resources, "AccessLogBucketPolicy")["PolicyDocument"]["Statement"]

    assert logging == {
        "Bucket": {"Fn::GetAtt": ["AccessLogBucket", "DomainName"]},
        "Prefix": "cloudfront/",
        "IncludeCookies": False,
    }
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerPreferred"}]
    assert (rule["Status"], rule["ExpirationInDays"]) == ("Enabled", {"Ref": "LogRetentionDays"})
    assert (deny["Effect"], deny["Condition"]) == (
        "Deny",
        {"Bool": {"aws:SecureTransport": "false"}},
    )


def test_every_checkov_suppression_is_justified(resources: dict[str, Any]) -> None:
    skips = [
        (name, skip)
        for name, resource in resources.items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]

    assert skips, "the template has no suppressions to check"
    for name, skip in skips:
        assert re.fullmatch(r"CKV_AWS_\d+", skip["id"]), (name, skip)
        assert len(skip.get("comment", "").split()) >= 6, (name, skip)
    assert len(skips) == len({(name, skip["id"]) for name, skip in skips})


def test_lost_stream_batches_are_redriven_with_back_off(resources: dict[str, Any]) -> None:
    """RenderFailureQueue has a consumer: render_site takes each lost batch (one message an
    invocation) and publishes in full; a failure comes back after the visibility timeout."""
    event = _props(resources, "RenderSiteFunction")["Events"]["LostBatches"]
    queue = {"Fn::GetAtt": ["RenderFailureQueue", "Arn"]}

    assert event["Type"] == "SQS"
    assert event["Properties"] == {"Queue": queue, "BatchSize": 1}
    timeout = _props(resources, "RenderSiteFunction")["Timeout"]
    assert _props(resources, "RenderFailureQueue")["VisibilityTimeout"] >= 6 * timeout
    grants = [s for s in _role_statements(resources, "RenderSiteRole") if s["Resource"] == queue]
    assert sorted(action for s in grants for action in _as_list(s["Action"])) == [
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
        "sqs:SendMessage",  # the stream's on-failure destination
    ]


def test_the_renderer_keeps_the_site_index_with_exactly_the_actions_a_transaction_needs(
    resources: dict[str, Any],
) -> None:
    """TransactWriteItems is authorised per action (Put/Update/Delete/ConditionCheckItem);
    nothing else on the table beyond the index's one-item reads (never a Scan)."""
    [statement] = [
        s for s in _role_statements(resources, "RenderSiteRole") if s["Sid"] == "KeepSiteIndex"
    ]

    assert statement["Resource"] == {"Fn::GetAtt": ["Table", "Arn"]}
    assert sorted(_as_list(statement["Action"])) == [
        "dynamodb:ConditionCheckItem",
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    ]
