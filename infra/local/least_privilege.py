"""Run the local pipeline with each function under its own role from template.yaml.

Every `AWS::Serverless::Function` in the template (after the SAM transform, so SAM policy
templates are expanded exactly as `sam deploy` would) gets an IAM user in moto carrying the
policies of that function's role, with the template's intrinsics resolved against the local
stack. With moto's access control switched on, a call a role does not grant fails as it would
in AWS, and every call that was allowed is recorded, so a grant that nothing uses can be found.

Where moto's evaluator cannot judge, this module says so rather than pretending:
- moto names the resource of a request only for S3, SQS, IAM and STS; for DynamoDB and
  DynamoDB Streams every request is "*". `resource_aware_dynamodb()` teaches moto the table,
  index and stream ARNs so those grants are judged per resource too.
- IAM authorises SQS's batch operations as their single counterparts (SendMessageBatch needs
  sqs:SendMessage); moto checks the operation's own name, so `IAM_ACTION_OF` translates.
- moto does not evaluate condition keys such as `dynamodb:LeadingKeys` or
  `bedrock:InferenceProfileArn` (it has no request context for them and treats an unmet
  condition as a denial), so conditions are dropped here and checked by
  tests/unit/test_template.py instead. `dropped_conditions()` lists what was dropped.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import boto3

from infra.local.template_resources import LocalResources

ACCOUNT: Final = "123456789012"  # moto's default account
PARTITION: Final = "aws"
OPERATOR: Final = "local-operator"  # stands in for the Lambda service and the person at the desk
_NO_VALUE: Final = object()
# API operations that IAM authorises under another action's name (moto checks the API name).
IAM_ACTION_OF: Final = {
    "sqs:SendMessageBatch": "sqs:SendMessage",
    "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
}
# A transaction is authorised per action, under the single-item action's name (moto checks
# only "TransactWriteItems"); ConditionCheck has an action of its own.
TRANSACTION_ACTION_OF: Final = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
}


@dataclass(frozen=True, slots=True)
class Credentials:
    access_key_id: str
    secret_access_key: str

    def environment(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
        }


@dataclass(frozen=True, slots=True)
class FunctionRole:
    function: str  # logical id of the function
    handler: str  # folder under functions/
    role: str  # logical id of its role
    policies: dict[str, dict[str, Any]]  # policy name -> resolved document


def translated_template(template: dict[str, Any], region: str) -> dict[str, Any]:
    """The template after the SAM transform (functions become roles, permissions, mappings)."""
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    packaged = copy.deepcopy(template)
    for resource in packaged["Resources"].values():  # as `sam package` leaves it
        for uri in ("CodeUri", "ContentUri"):
            if uri in resource.get("Properties", {}):
                resource["Properties"][uri] = "s3://artifacts/frontline.zip"

    def no_managed_policies() -> dict[str, str]:
        return {}

    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=region))
    result: dict[str, Any] = translator.translate(
        packaged, {}, get_managed_policy_map=no_managed_policies
    )
    return result


@dataclass
class _Resolver:
    """Resolves the intrinsics a policy uses against the local stack's physical resources."""

    template: dict[str, Any]
    resources: LocalResources
    dropped: list[str] = field(default_factory=list)

    @property
    def region(self) -> str:
        return self.resources.region

    def parameter(self, name: str) -> Any:
        pseudo = {
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": PARTITION,
            "AWS::Region": self.region,
            "AWS::StackName": "frontline-local",
            "AWS::URLSuffix": "amazonaws.com",
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.template.get("Parameters", {}):
            return self.template["Parameters"][name].get("Default", "")
        return self.ref(name)

    def ref(self, logical_id: str) -> str:
        if logical_id in self.resources.physical_ids:
            return self.resources[logical_id]
        resource = self.template["Resources"][logical_id]
        if resource["Type"] == "AWS::Logs::LogGroup":
            return str(self.resolve(resource["Properties"]["LogGroupName"]))
        return f"local-{logical_id}"  # resources moto does not create (distribution, topic)

    def attribute(self, logical_id: str, name: str) -> str:
        resource_type = self.template["Resources"][logical_id]["Type"]
        physical = self.ref(logical_id)
        regional = f"arn:{PARTITION}:{{}}:{self.region}:{ACCOUNT}:{{}}"
        arns = {
            "AWS::DynamoDB::Table": regional.format("dynamodb", f"table/{physical}"),
            "AWS::SQS::Queue": regional.format("sqs", physical.rsplit("/", 1)[-1]),
            "AWS::S3::Bucket": f"arn:{PARTITION}:s3:::{physical}",
            "AWS::Logs::LogGroup": regional.format("logs", f"log-group:{physical}:*"),
        }
        if name == "Arn" and resource_type in arns:
            return arns[resource_type]
        if name == "StreamArn" and resource_type == "AWS::DynamoDB::Table":
            return f"{arns[resource_type]}/stream/*"
        if name == "QueueName" and resource_type == "AWS::SQS::Queue":
            return physical.rsplit("/", 1)[-1]
        return f"local-{logical_id}-{name}"

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self.template["Conditions"][name]))

    def substitute(self, text: str, variables: dict[str, Any]) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return self.attribute(logical_id, attribute)
            return str(self.parameter(name))

        return re.sub(r"\$\{([^}!]+)\}", value, text)

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [item for value in node if (item := self.resolve(value)) is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) != 1:
            return {
                key: item
                for key, value in node.items()
                if (item := self.resolve(value)) is not _NO_VALUE
            }
        ((key, argument),) = node.items()
        match key:
            case "Ref" if argument == "AWS::NoValue":
                return _NO_VALUE
            case "Ref":
                return self.parameter(argument)
            case "Condition":
                return self.condition(argument)
            case "Fn::GetAtt":
                logical_id, name = (
                    argument if isinstance(argument, list) else argument.split(".", 1)
                )
                return self.attribute(logical_id, name)
            case "Fn::Sub":
                text, extra = (argument, {}) if isinstance(argument, str) else argument
                return self.substitute(text, {k: self.resolve(v) for k, v in extra.items()})
            case "Fn::Select":
                return self.resolve(argument[1])[int(self.resolve(argument[0]))]
            case "Fn::Split":
                return self.resolve(argument[1]).split(argument[0])
            case "Fn::Join":
                return argument[0].join(self.resolve(argument[1]))
            case "Fn::If":
                return self.resolve(argument[1] if self.condition(argument[0]) else argument[2])
            case "Fn::Equals":
                return self.resolve(argument[0]) == self.resolve(argument[1])
            case "Fn::Not":
                return not self.resolve(argument[0])
            case "Fn::And":
                return all(self.resolve(item) for item in argument)
            case "Fn::Or":
                return any(self.resolve(item) for item in argument)
        return {key: self.resolve(argument)}

    def policy(self, role: str, document: dict[str, Any]) -> dict[str, Any]:
        resolved: dict[str, Any] = self.resolve(document)
        statements = resolved["Statement"]
        for statement in statements if isinstance(statements, list) else [statements]:
            if "Condition" in statement:
                self.dropped.append(
                    f"{role}/{statement.get('Sid', '?')}: {json.dumps(statement.pop('Condition'))}"
                )
        return resolved


def function_roles(template: dict[str, Any], resources: LocalResources) -> list[FunctionRole]:
    """Each function of the template with the resolved policies of its role (any new function
    is included: nothing here names one)."""
    translated = translated_template(template, resources.region)
    resolver = _Resolver(translated, resources)
    roles: list[FunctionRole] = []
    for name, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        role_ref = translated["Resources"][name]["Properties"]["Role"]["Fn::GetAtt"]
        role_id = role_ref[0] if isinstance(role_ref, list) else role_ref.split(".")[0]
        properties = translated["Resources"][role_id]["Properties"]
        if properties.get("ManagedPolicyArns"):
            raise ValueError(f"{role_id}: managed policies cannot be checked locally")
        code_uri = str(resource["Properties"]["CodeUri"])
        roles.append(
            FunctionRole(
                function=name,
                handler=Path(code_uri).name,
                role=role_id,
                policies={
                    policy["PolicyName"]: resolver.policy(role_id, policy["PolicyDocument"])
                    for policy in properties.get("Policies", [])
                },
            )
        )
    return roles


def dropped_conditions(template: dict[str, Any], resources: LocalResources) -> list[str]:
    """The conditions moto cannot evaluate, as `Role/Sid: condition` lines."""
    translated = translated_template(template, resources.region)
    resolver = _Resolver(translated, resources)
    for name, role in translated["Resources"].items():
        if role["Type"] == "AWS::IAM::Role":
            for policy in role["Properties"].get("Policies", []):
                resolver.policy(name, policy["PolicyDocument"])
    return resolver.dropped


def create_identities(
    session: Any, roles: list[FunctionRole]
) -> tuple[Credentials, dict[str, Credentials]]:
    """An operator with every permission, and one user per function carrying its role's
    policies. Returns (operator, {handler folder: credentials})."""
    iam = session.client("iam")

    def user(name: str, policies: dict[str, dict[str, Any]]) -> Credentials:
        iam.create_user(UserName=name)
        for policy_name, document in policies.items():
            iam.put_user_policy(
                UserName=name, PolicyName=policy_name, PolicyDocument=json.dumps(document)
            )
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return Credentials(key["AccessKeyId"], key["SecretAccessKey"])

    everything = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
    operator = user(OPERATOR, {"everything": everything})
    return operator, {role.handler: user(role.role, role.policies) for role in roles}


@dataclass
class CallLog:
    """Every (access key, action, resource) moto allowed while access control was on, and the
    partition keys each DynamoDB item call named (what `dynamodb:LeadingKeys` would see)."""

    calls: set[tuple[str, str, str]] = field(default_factory=set)
    leading_keys: set[tuple[str, str, str]] = field(default_factory=set)

    def by(self, credentials: Credentials) -> set[tuple[str, str]]:
        return {(a, r) for key, a, r in self.calls if key == credentials.access_key_id}

    def keys_by(self, credentials: Credentials) -> set[tuple[str, str]]:
        return {(a, pk) for key, a, pk in self.leading_keys if key == credentials.access_key_id}


def _partition_keys(body: Any) -> list[str]:
    """The `pk` values a DynamoDB item request names (Key, Item, or batch RequestItems)."""
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return []
    rows: list[dict[str, Any]] = [request.get("Key") or {}, request.get("Item") or {}]
    for entries in (request.get("RequestItems") or {}).values():
        if isinstance(entries, dict):  # BatchGetItem
            rows += entries.get("Keys", [])
        else:  # BatchWriteItem
            for entry in entries:
                for write in entry.values():
                    rows.append(write.get("Key") or write.get("Item") or {})
    return [row["pk"]["S"] for row in rows if "pk" in row]


def _transaction_actions(body: Any) -> list[tuple[str, list[str]]]:
    """(IAM action, partition keys) of each action a TransactWriteItems request names."""
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return []
    actions: dict[str, list[str]] = {}
    for entry in request.get("TransactItems", []):
        for kind, operation in entry.items():
            row = operation.get("Key") or operation.get("Item") or {}
            pks = actions.setdefault(TRANSACTION_ACTION_OF[kind], [])
            pks += [row["pk"]["S"]] if "pk" in row else []
    return sorted(actions.items())


def _dynamodb_resource(handler: Any) -> str:
    """The table or index ARN a DynamoDB request names (the first table for batch calls)."""
    params = getattr(handler, "params", None) or {}
    table = params.get("TableName")
    if table is None:
        for key in ("RequestItems", "TransactItems"):
            entries = params.get(key)
            if isinstance(entries, dict) and entries:
                table = next(iter(entries))
            elif isinstance(entries, list) and entries:
                table = next(iter(entries[0].values())).get("TableName")
    if not table:
        return "*"
    arn = (
        table
        if str(table).startswith("arn:")
        else (f"arn:{PARTITION}:dynamodb:{handler.region}:{handler.current_account}:table/{table}")
    )
    index = params.get("IndexName")
    return f"{arn}/index/{index}" if index else arn


def _stream_resource(handler: Any) -> str:
    arn = handler._get_param("StreamArn") or handler._get_param("ShardIterator")
    return str(arn).split("|", 1)[0] if arn else "*"


@contextmanager
def access_control(log: CallLog | None = None) -> Iterator[CallLog]:
    """moto's IAM enforcement on from the first request, DynamoDB judged per resource, and
    every allowed call recorded."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.dynamodb.responses import DynamoHandler
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
    from moto.iam.access_control import IAMRequestBase

    log = log if log is not None else CallLog()
    permitted = IAMRequestBase.check_action_permitted

    def recording(self: Any, resource: str) -> None:
        action = IAM_ACTION_OF.get(self._action, self._action)
        if action == "dynamodb:TransactWriteItems":
            judged = _transaction_actions(self._body)
        else:
            judged = [(action, _partition_keys(self._body))]
        key = self._access_key._access_key_id
        for self._action, pks in judged:
            permitted(self, resource)
            log.calls.add((key, self._action, resource))
            if self._action.startswith("dynamodb:") and "/index/" not in resource:
                for pk in pks:
                    log.leading_keys.add((key, self._action, pk))

    saved = (settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count)
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0
    DynamoHandler._determine_resource = _dynamodb_resource  # type: ignore[attr-defined]
    DynamoDBStreamsHandler._determine_resource = _stream_resource  # type: ignore[attr-defined]
    IAMRequestBase.check_action_permitted = recording  # type: ignore[method-assign]
    try:
        yield log
    finally:
        IAMRequestBase.check_action_permitted = permitted  # type: ignore[method-assign]
        del DynamoHandler._determine_resource  # type: ignore[attr-defined]
        del DynamoDBStreamsHandler._determine_resource  # type: ignore[attr-defined]
        settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = saved
