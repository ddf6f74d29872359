"""The deps layer's trimmed SDK models: every service the code calls, clients identical to botocore's, used only
for the botocore version they were written from."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import botocore
import botocore.session
import pytest

from layers.sdk_models import SERVICES, write_sdk_models
from shared.aws import SDK_MODELS_DIR, SDK_MODELS_STAMP

ROOT = Path(__file__).resolve().parents[2]
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1", "us-gov-west-1")


@pytest.fixture(scope="module")
def layer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A deps layer's python/ folder holding this environment's botocore and the models written from it."""
    python = tmp_path_factory.mktemp("deps") / "python"
    python.mkdir()
    (python / "botocore").symlink_to(Path(botocore.__file__).parent)
    write_sdk_models(python)
    return python


def _models_session(models: Path) -> botocore.session.Session:
    from botocore.loaders import Loader

    session = botocore.session.get_session()
    session.register_component("data_loader", Loader(extra_search_paths=[str(models)],
                                                     include_default_search_paths=False))
    return session


def _called_services() -> Iterator[str]:
    for path in (*ROOT.joinpath("shared").rglob("*.py"), *ROOT.joinpath("functions").rglob("*.py")):
        yield from re.findall(r"""\bclient\(\s*["']([a-z0-9-]+)["']""", path.read_text())


def test_every_service_the_code_asks_for_is_shipped() -> None:
    # Given every `client("service")` in shared/ and functions/, Then each service has trimmed models
    called = set(_called_services())
    assert called, "the code asks for no client: the search is broken"
    assert called <= set(SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_a_client_from_the_trimmed_models_is_botocore_s_own(layer: Path, service: str) -> None:
    # Given a session over the trimmed models only, and one over botocore's data
    trimmed, full = _models_session(layer / SDK_MODELS_DIR), botocore.session.get_session()
    management = "https://example.execute-api.us-east-1.amazonaws.com/ws"
    endpoint = management if service == "apigatewaymanagementapi" else None
    for region in REGIONS:
        # When each builds the service's client in a region
        a = trimmed.create_client(service, region_name=region, endpoint_url=endpoint, aws_access_key_id="k",
                                  aws_secret_access_key="s")
        b = full.create_client(service, region_name=region, endpoint_url=endpoint, aws_access_key_id="k",
                               aws_secret_access_key="s")
        # Then it has every operation, with the same input and output shapes, and the same endpoint
        model_a, model_b = a.meta.service_model, b.meta.service_model
        assert model_a.operation_names == model_b.operation_names
        for name in model_b.operation_names:
            op_a, op_b = model_a.operation_model(name), model_b.operation_model(name)
            for shape_a, shape_b in ((op_a.input_shape, op_b.input_shape), (op_a.output_shape, op_b.output_shape)):
                assert (shape_a and sorted(shape_a.members)) == (shape_b and sorted(shape_b.members)), name
        # and the same client context parameters, which endpoint resolution reads on every call
        assert [(p.name, p.type, p.documentation) for p in model_a.client_context_parameters] == [
            (p.name, p.type, p.documentation) for p in model_b.client_context_parameters]
        assert a.meta.endpoint_url == b.meta.endpoint_url, region
        assert a.meta.config.signature_version == b.meta.config.signature_version


def test_the_models_carry_no_documentation_and_name_their_botocore(layer: Path) -> None:
    # Given the written models, Then no service's model keeps a documentation string, but where botocore needs it
    models = layer / SDK_MODELS_DIR
    for path in models.glob("*/*/service-2.json"):
        model = json.loads(path.read_text())
        model.pop("clientContextParams", None)
        assert '"documentation"' not in json.dumps(model), path
    # And they are a small fraction of what they replace, and say which botocore they come from
    dynamodb = next(models.glob("dynamodb/*/service-2.json"))
    assert dynamodb.stat().st_size < 200_000
    assert (models / SDK_MODELS_STAMP).read_text().strip() == botocore.__version__
    assert json.loads((models / "endpoints.json").read_text())["partitions"][0]["services"].keys() < {
        *json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())["partitions"][0][
            "services"].keys()}


def _shipped_in(layer: Path) -> str:
    code = "from shared import aws; print(aws.shipped_models())"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(layer), str(ROOT)])}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env=env).stdout.strip()


def test_the_sdk_reads_the_models_written_for_its_version_only(layer: Path, tmp_path: Path) -> None:
    # Given a layer with models written from this botocore, Then shared.aws uses them
    assert _shipped_in(layer) == str(layer / SDK_MODELS_DIR)
    # Given models written from another botocore version, Then it uses botocore's own data
    stale = tmp_path / "python"
    (stale / SDK_MODELS_DIR).mkdir(parents=True)
    (stale / SDK_MODELS_DIR / SDK_MODELS_STAMP).write_text("0.0.1\n")
    assert _shipped_in(stale) == "None"
