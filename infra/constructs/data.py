"""DynamoDB tables, their GSIs, streams and TTL, from resources.TABLES."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from infra.naming import construct_id
from shared import resources


class DataTables(Construct):
    """Every table in resources.TABLES: on-demand, point-in-time recovery, streams and TTL as declared."""

    def __init__(self, scope: Construct, id: str, *, naming: resources.Naming,
                 removal_policy: RemovalPolicy) -> None:
        super().__init__(scope, id)
        self.tables: dict[str, dynamodb.Table] = {}
        for definition in resources.TABLES:
            self.tables[definition.key] = self._table(definition, naming, removal_policy)

    def _table(self, definition: resources.TableDef, naming: resources.Naming,
               removal_policy: RemovalPolicy) -> dynamodb.Table:
        table = dynamodb.Table(
            self, construct_id(definition.key),
            table_name=definition.name_in(naming),
            partition_key=_string(definition.partition_key),
            sort_key=_string(definition.sort_key),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True),
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES if definition.stream else None,
            time_to_live_attribute=definition.ttl_attribute,
            # A retained table is also protected from a stray console or API delete.
            deletion_protection=removal_policy == RemovalPolicy.RETAIN,
            removal_policy=removal_policy,
        )
        for index in definition.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_string(index.partition_key),
                sort_key=_string(index.sort_key),
                projection_type=dynamodb.ProjectionType[index.projection],
            )
        return table


def _string(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)
