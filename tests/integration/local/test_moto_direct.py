"""The in-process direct path to moto answers exactly what botocore's HTTP path answers: items, errors, streams."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from shared import resources
from shared.aws import client
from tests.support.moto_cloud import running_cloud

TABLE = resources.RECORDS_TABLE.physical_name


@pytest.fixture
def clients() -> Iterator[tuple[Any, Any]]:
    """(in-process client on the direct path, client of the same moto over HTTP through botocore's own path)"""
    with running_cloud() as moto:
        yield client("dynamodb"), client("dynamodb", moto.endpoint)


def without_metadata(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


def error_of(call: Any, **params: Any) -> tuple[str, str, Any]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    error = caught.value.response
    return error["Error"]["Code"], error["Error"]["Message"], error.get("CancellationReasons")


ITEM = {"pk": {"S": "p"}, "sk": {"S": "1"}, "n": {"N": "12.5"}, "b": {"B": b"\x00\xffbin"},
        "bs": {"BS": [b"a", b"\x01"]}, "flag": {"BOOL": True}, "none": {"NULL": True},
        "m": {"M": {"l": {"L": [{"S": "x"}, {"N": "1"}, {"B": b"\x02"}]}, "B": {"S": "a key named B"}}},
        "ss": {"SS": ["a", "b"]}}


def test_item_operations_answer_the_same_values_as_over_http(clients: tuple[Any, Any]) -> None:
    direct, http = clients
    # Given an item with every attribute type, binary values included, written on the direct path
    direct.put_item(TableName=TABLE, Item=ITEM)
    key = {"pk": ITEM["pk"], "sk": ITEM["sk"]}
    # When it is read back both ways, by GetItem and by Query
    reads = [(lambda c: c.get_item(TableName=TABLE, Key=key, ConsistentRead=True)),
             (lambda c: c.query(TableName=TABLE, KeyConditionExpression="pk = :p",
                                ExpressionAttributeValues={":p": {"S": "p"}}))]
    for read in reads:
        ours, theirs = read(direct), read(http)
        # Then both answers are equal, binary values as bytes
        assert without_metadata(ours) == without_metadata(theirs)
        assert ours["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert direct.get_item(TableName=TABLE, Key=key)["Item"]["b"]["B"] == b"\x00\xffbin"


def test_errors_keep_their_codes_messages_and_cancellation_reasons(clients: tuple[Any, Any]) -> None:
    direct, http = clients
    direct.put_item(TableName=TABLE, Item={"pk": {"S": "e"}, "sk": {"S": "1"}})
    # When a conditional put fails, a key is malformed and a transaction is cancelled, both ways
    failing: list[tuple[Any, dict[str, Any]]] = [
        (lambda c: c.put_item, {"TableName": TABLE, "Item": {"pk": {"S": "e"}, "sk": {"S": "1"}},
                                "ConditionExpression": "attribute_not_exists(pk)"}),
        (lambda c: c.get_item, {"TableName": TABLE, "Key": {"pk": {"S": "e"}}}),
        (lambda c: c.describe_table, {"TableName": "no-such-table"}),
        (lambda c: c.transact_write_items, {"TransactItems": [
            {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "e"}, "sk": {"S": "2"}}}},
            {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "e"}, "sk": {"S": "1"}},
                     "ConditionExpression": "attribute_not_exists(pk)"}}]}),
    ]
    for operation, params in failing:
        # Then the direct path raises the same ClientError as botocore's HTTP path
        assert error_of(operation(direct), **params) == error_of(operation(http), **params)
    # And the cancelled transaction wrote nothing
    assert "Item" not in direct.get_item(TableName=TABLE, Key={"pk": {"S": "e"}, "sk": {"S": "2"}})


def test_other_operations_are_parsed_by_botocore_with_their_types(clients: tuple[Any, Any]) -> None:
    direct, http = clients
    # When a table is described on the direct path
    ours = direct.describe_table(TableName=TABLE)["Table"]
    theirs = http.describe_table(TableName=TABLE)["Table"]
    # Then timestamps are datetimes and numbers numbers, as botocore's parser makes them
    assert ours["CreationDateTime"] == theirs["CreationDateTime"]
    assert type(ours["CreationDateTime"]).__name__ == "datetime"
    assert ours["KeySchema"] == theirs["KeySchema"]


def test_stream_records_read_the_same_both_ways(clients: tuple[Any, Any]) -> None:
    direct, http = clients
    # Given an insert, an update and a delete of an item with every attribute type, on the table's stream
    arn = direct.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    key = {"pk": ITEM["pk"], "sk": ITEM["sk"]}
    direct.put_item(TableName=TABLE, Item=ITEM)
    direct.put_item(TableName=TABLE, Item={**ITEM, "n": {"N": "13"}})
    direct.delete_item(TableName=TABLE, Key=key)
    # When its records are read on the direct path and over HTTP
    answers = []
    for streams in (client("dynamodbstreams"), client("dynamodbstreams", http.meta.endpoint_url)):
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        answers.append(streams.get_records(ShardIterator=iterator)["Records"])
    ours, theirs = answers
    # Then both are the same records, with the creation time a datetime and binary values bytes
    assert [r["eventName"] for r in ours] == ["INSERT", "MODIFY", "REMOVE"]
    assert ours == theirs
    change = ours[1]["dynamodb"]
    assert type(change["ApproximateCreationDateTime"]).__name__ == "datetime"
    assert change["OldImage"] == ITEM and change["NewImage"]["n"] == {"N": "13"}
    assert change["Keys"] == key and ours[2]["dynamodb"]["OldImage"]["bs"] == {"BS": [b"a", b"\x01"]}


def test_parameters_are_validated_as_botocore_validates_them(clients: tuple[Any, Any]) -> None:
    direct, http = clients
    # When a call's parameters break the operation's shape (a Limit of the wrong type, an unknown parameter)
    bad = [{"TableName": TABLE, "KeyConditionExpression": "pk = :p", "Limit": "ten",
            "ExpressionAttributeValues": {":p": {"S": "p"}}},
           {"TableName": TABLE, "KeyConditionExpression": "pk = :p", "Unknown": 1,
            "ExpressionAttributeValues": {":p": {"S": "p"}}}]
    for params in bad:
        # Then both paths refuse them before any request, with the same report
        with pytest.raises(ParamValidationError) as ours:
            direct.query(**params)
        with pytest.raises(ParamValidationError) as theirs:
            http.query(**params)
        assert str(ours.value) == str(theirs.value)


def test_transactions_sent_without_a_token_are_each_their_own(clients: tuple[Any, Any]) -> None:
    direct, _ = clients
    # When the same conditional transaction is sent twice without a ClientRequestToken
    put = {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "t"}, "sk": {"S": "1"}},
                   "ConditionExpression": "attribute_not_exists(pk)"}}
    direct.transact_write_items(TransactItems=[put])
    # Then the repeat is a new transaction (botocore's parameter events gave each its own token): it fails
    with pytest.raises(ClientError) as caught:
        direct.transact_write_items(TransactItems=[put])
    assert caught.value.response["Error"]["Code"] == "TransactionCanceledException"
