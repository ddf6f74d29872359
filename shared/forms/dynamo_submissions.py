"""Form submissions on DynamoDB (system table): one item per submission and one count item per form.

- submission: pk `formsub#<formId>`, sk `<created>#<recordId>`; attributes ip, ua, recordId, collectionId.
- count: pk `formcount#<formId>`, sk `count`, `n`.
Both are written by one transaction, the put conditional on the submission being new, so the count is exact
and a retried add neither doubles it nor loses it. Not a maintained aggregate: the stream never sees these
items (docs/api-views.md, "Submissions").
"""

from __future__ import annotations

from functools import cache

from botocore.exceptions import BotoCoreError, ClientError

from shared import aws
from shared.forms.submissions import FormSubmission, FormSubmissionRepository, FormSubmissionsStorageError


class DynamoFormSubmissionRepository(FormSubmissionRepository):
    def __init__(self, table_name: str) -> None:
        self._table = table_name

    def add(self, submission: FormSubmission) -> None:
        s = submission
        item = {"pk": {"S": f"formsub#{s.form_id}"}, "sk": {"S": f"{s.created}#{s.record_id}"},
                "recordId": {"S": s.record_id}, "collectionId": {"S": s.collection_id}, "ip": {"S": s.ip},
                "ua": {"S": s.user_agent}, "created": {"S": s.created}}
        try:
            aws.client("dynamodb").transact_write_items(TransactItems=[
                {"Put": {"TableName": self._table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Update": {"TableName": self._table,
                            "Key": {"pk": {"S": f"formcount#{s.form_id}"}, "sk": {"S": "count"}},
                            "UpdateExpression": "ADD n :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            ])
        except ClientError as exc:
            reasons = exc.response.get("CancellationReasons") or []
            if any(r.get("Code") == "ConditionalCheckFailed" for r in reasons):
                return  # already stored and counted: a retry of the same submission
            raise FormSubmissionsStorageError(str(exc)) from exc
        except BotoCoreError as exc:
            raise FormSubmissionsStorageError(str(exc)) from exc

    def count(self, form_id: str) -> int:
        try:
            response = aws.client("dynamodb").get_item(
                TableName=self._table, Key={"pk": {"S": f"formcount#{form_id}"}, "sk": {"S": "count"}},
                ConsistentRead=True)
        except (ClientError, BotoCoreError) as exc:
            raise FormSubmissionsStorageError(str(exc)) from exc
        item = response.get("Item")
        return int(item["n"]["N"]) if item else 0

    def newest(self, form_id: str, limit: int, before: str = "") -> list[FormSubmission]:
        condition = "pk = :pk" + (" AND sk < :before" if before else "")
        values = {":pk": {"S": f"formsub#{form_id}"}, **({":before": {"S": before}} if before else {})}
        try:
            response = aws.client("dynamodb").query(
                TableName=self._table, KeyConditionExpression=condition, ExpressionAttributeValues=values,
                ScanIndexForward=False, Limit=limit)
        except (ClientError, BotoCoreError) as exc:
            raise FormSubmissionsStorageError(str(exc)) from exc
        return [FormSubmission(form_id=form_id, record_id=i["recordId"]["S"], collection_id=i["collectionId"]["S"],
                               ip=i["ip"]["S"], user_agent=i["ua"]["S"], created=i["created"]["S"])
                for i in response.get("Items", [])]


@cache
def get_form_submission_repository(table_name: str) -> FormSubmissionRepository:
    """The DynamoDB repository over the system table, one per table name."""
    return DynamoFormSubmissionRepository(table_name)
