"""The local resources come from template.yaml's own definitions."""

import copy

import boto3
from moto import mock_aws

from infra.local.template_resources import create_local_stack, load_template, local_template


def test_resources_match_the_template(local_aws) -> None:
    dynamodb = boto3.client("dynamodb")
    table = dynamodb.describe_table(TableName=local_aws["Table"])["Table"]
    assert {k["AttributeName"]: k["KeyType"] for k in table["KeySchema"]} == {
        "pk": "HASH",
        "sk": "RANGE",
    }
    assert table["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    assert sorted(index["IndexName"] for index in table["GlobalSecondaryIndexes"]) == [
        "ByListing",
        "ByPublished",
        "NeedsAnalysis",
        "Unqueued",
    ]
    ttl = dynamodb.describe_time_to_live(TableName=local_aws["Table"])["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"
    sqs = boto3.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=local_aws["ItemQueue"], AttributeNames=["All"])[
        "Attributes"
    ]
    assert '"maxReceiveCount": 5' in attributes["RedrivePolicy"]
    assert local_aws["ItemDeadLetterQueue"].rsplit("/", 1)[1] in attributes["RedrivePolicy"]
    assert boto3.client("s3").head_bucket(Bucket=local_aws["SiteBucket"])


def test_changing_a_key_in_the_template_changes_the_local_table(aws_env) -> None:
    # Given the template with the table's sort key renamed
    template = copy.deepcopy(load_template())
    properties = template["Resources"]["Table"]["Properties"]
    properties["KeySchema"][1]["AttributeName"] = "kind"
    properties["AttributeDefinitions"].append({"AttributeName": "kind", "AttributeType": "S"})
    properties["AttributeDefinitions"] = [
        a for a in properties["AttributeDefinitions"] if a["AttributeName"] != "sk"
    ]
    # When the local stack is created from it
    with mock_aws():
        resources = create_local_stack(
            boto3.session.Session(region_name="ap-northeast-1"), template=template
        )
        table = boto3.client("dynamodb").describe_table(TableName=resources["Table"])["Table"]
    # Then moto's table has the new key
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "kind"]


def test_only_storage_resources_are_taken() -> None:
    subset = local_template(load_template())
    assert {r["Type"] for r in subset["Resources"].values()} <= {
        "AWS::DynamoDB::Table",
        "AWS::SQS::Queue",
        "AWS::S3::Bucket",
    }
    assert {"Table", "ItemQueue", "ItemDeadLetterQueue", "SiteBucket"} <= set(subset["Resources"])
