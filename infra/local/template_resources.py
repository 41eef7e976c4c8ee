"""Create the template's own storage resources in moto's CloudFormation.

moto cannot run the SAM transform, so the plain resources (tables, queues, buckets) are taken
from template.yaml as they are, with the Parameters and Conditions they may use, and created
as a CloudFormation stack. One definition: change a key in template.yaml and the local table
changes with it. The functions and their event sources are wired by the local runner.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from infra.local.moto_query import query_one_partition
from infra.local.moto_transactions import snapshot_touched_items_only

TEMPLATE: Final = Path(__file__).resolve().parents[2] / "template.yaml"
LOCAL_TYPES: Final = frozenset({"AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::S3::Bucket"})


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that turns CloudFormation short tags (!Ref, !GetAtt, !Sub…) into JSON form."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    if suffix == "Condition":
        return {"Condition": value}
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506
    if not isinstance(document, dict) or "Resources" not in document:
        raise ValueError(f"{path}: not a CloudFormation template")
    return document


def local_template(template: dict[str, Any]) -> dict[str, Any]:
    """The subset moto can create: storage resources plus the parameters they may reference."""
    resources = {
        name: resource
        for name, resource in template["Resources"].items()
        if resource.get("Type") in LOCAL_TYPES
    }
    subset: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    for section in ("Parameters", "Conditions"):
        if section in template:
            subset[section] = template[section]
    return subset


@dataclass(frozen=True, slots=True)
class LocalResources:
    region: str
    physical_ids: dict[str, str]  # logical id -> table name, queue URL or bucket name

    def __getitem__(self, logical_id: str) -> str:
        return self.physical_ids[logical_id]


def create_local_stack(
    session: Any, *, template: dict[str, Any] | None = None, stack_name: str = "frontline-local"
) -> LocalResources:
    """Create the storage resources in the (moto-backed) account of `session`."""
    snapshot_touched_items_only()
    query_one_partition()
    template = template if template is not None else load_template()
    subset = local_template(template)
    cloudformation = session.client("cloudformation")
    cloudformation.create_stack(StackName=stack_name, TemplateBody=json.dumps(subset))
    stack = cloudformation.describe_stack_resources(StackName=stack_name)["StackResources"]
    physical_ids = {row["LogicalResourceId"]: row["PhysicalResourceId"] for row in stack}
    dynamodb = session.client("dynamodb")
    for name, resource in subset["Resources"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::DynamoDB::Table" and "TimeToLiveSpecification" in properties:
            ttl = properties["TimeToLiveSpecification"]
            dynamodb.update_time_to_live(
                TableName=physical_ids[name],
                TimeToLiveSpecification={
                    "AttributeName": ttl["AttributeName"],
                    "Enabled": bool(ttl.get("Enabled", True)),
                },
            )
    return LocalResources(region=session.region_name, physical_ids=physical_ids)
