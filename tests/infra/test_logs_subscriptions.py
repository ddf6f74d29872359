"""The request log pipeline in the synthesized stack: a subscription filter on every HTTP function's log group,
all delivering to the log writer, whose failed deliveries go to the log-failures queue."""

from __future__ import annotations

from shared import resources
from tests.infra.synthesis import Synthesized


def test_every_http_function_log_group_is_subscribed_to_the_log_writer(synth: Synthesized) -> None:
    # Given the declared HTTP functions, When the stack is synthesized
    filters = list(synth.resources("AWS::Logs::SubscriptionFilter").values())
    groups = {g["Properties"]["LogGroupName"]: logical_id
              for logical_id, g in synth.resources("AWS::Logs::LogGroup").items()
              if isinstance(g["Properties"].get("LogGroupName"), str)}
    writer = next(logical_id for logical_id, f in synth.resources("AWS::Lambda::Function").items()
                  if f["Properties"]["FunctionName"] == resources.function("logwriter").physical_name)
    writer_alias = next(logical_id for logical_id, a in synth.resources("AWS::Lambda::Alias").items()
                        if a["Properties"]["FunctionName"] == {"Ref": writer})

    # Then each HTTP function's log group has one filter selecting the request log lines only
    http_functions = [f for f in resources.FUNCTIONS if f.kind == "http"]
    assert len(filters) == len(http_functions)
    subscribed = {f["Properties"]["LogGroupName"]["Ref"] for f in filters}
    assert subscribed == {groups[f"/aws/lambda/{f.physical_name}"] for f in http_functions}
    for props in (f["Properties"] for f in filters):
        assert props["FilterPattern"] == resources.REQUEST_LOG_FILTER_PATTERN
        assert props["DestinationArn"] == {"Ref": writer_alias}  # the log writer's live alias


def test_the_log_writer_keeps_failed_deliveries_on_the_failure_queue(synth: Synthesized) -> None:
    # When the stack is synthesized, Then the log writer's asynchronous invocations retry, then go to the queue
    configs = list(synth.resources("AWS::Lambda::EventInvokeConfig").values())
    assert len(configs) == 1
    props = configs[0]["Properties"]
    assert "LogwriterLive" in str(props["Qualifier"])  # the live alias's name, taken from its ARN
    assert props["MaximumRetryAttempts"] == 2
    assert "OnFailure" in props["DestinationConfig"]
    queues = {q["Properties"].get("QueueName"): logical_id
              for logical_id, q in synth.resources("AWS::SQS::Queue").items()}
    assert queues[resources.LOG_FAILURES_QUEUE.physical_name] in str(props["DestinationConfig"]["OnFailure"])
