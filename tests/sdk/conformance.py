"""Microsoft's Azure ML SDK (azure-ai-ml, unpatched) against `aml-rollout emulator --tls`.

Usage: python conformance.py PATH_TO_AML_ROLLOUT_BINARY

Starts the emulator on a free port with its CA in a temporary data directory, points an
MLClient at it through a custom cloud whose resource manager is the emulator, and drives a
blue/green rollout and the SDK's other online endpoint calls. Each step asserts the state it
leaves; a failure prints the step and the SDK's error. Exit status 0 only if every step passed.
"""

import os
import subprocess
import sys
import tempfile
import time
import traceback

STEPS_PASSED = []
STEPS_FAILED = []


def start_emulator(binary, data_dir):
    """Runs the emulator and reads its banner: URL, token and CA certificate path."""
    process = subprocess.Popen(
        [
            binary,
            "emulator",
            "--tls",
            "--data-dir",
            data_dir,
            "--operation-seconds",
            "0.2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    banner = {}
    for line in process.stdout:
        line = line.strip()
        if line.startswith("aml-rollout emulator listening on "):
            banner["url"] = line.rsplit(" ", 1)[1]
        elif line.startswith("bearer token: "):
            banner["token"] = line.split(": ", 1)[1]
        elif line.startswith("ca certificate: "):
            banner["ca"] = line.split(": ", 1)[1]
        elif line.startswith("workspace: "):
            # workspace: subscription S / resource group G / workspace W
            parts = line[len("workspace: ") :].split(" / ")
            banner["subscription"] = parts[0].split(" ", 1)[1]
            banner["resource_group"] = parts[1].split(" ", 2)[2]
            banner["workspace"] = parts[2].split(" ", 1)[1]
        elif line.startswith("press ctrl-c"):
            break
    missing = {"url", "token", "ca", "subscription", "workspace"} - banner.keys()
    if missing:
        process.kill()
        raise SystemExit(f"the emulator's banner lacks {sorted(missing)}")
    return process, banner


class EmulatorCredential:
    """The emulator accepts its own bearer token; any TokenCredential shape works."""

    def __init__(self, token):
        self._token = token

    def get_token(self, *scopes, **kwargs):
        from azure.core.credentials import AccessToken

        return AccessToken(self._token, int(time.time()) + 3600)


def step(name):
    """Runs the decorated function at once as a named step, recording its outcome."""

    def run(function):
        try:
            function()
        except Exception as error:  # the SDK's errors are many kinds; print whichever came
            STEPS_FAILED.append(name)
            print(f"FAILED {name}: {type(error).__name__}: {error}", flush=True)
            traceback.print_exc(limit=3)
        else:
            STEPS_PASSED.append(name)
            print(f"ok     {name}", flush=True)
        return function

    return run


def expect_http_error(status, action):
    from azure.core.exceptions import HttpResponseError

    try:
        action()
    except HttpResponseError as error:
        assert error.status_code == status, f"HTTP {error.status_code}, expected {status}: {error}"
        return error
    raise AssertionError(f"expected HTTP {status}, but the call succeeded")


def main():
    binary = os.path.abspath(sys.argv[1])
    here = os.path.dirname(os.path.abspath(__file__))
    sample_request = os.path.join(here, "..", "..", "assets", "demo", "sample-request.json")
    with tempfile.TemporaryDirectory() as data_dir:
        process, banner = start_emulator(binary, data_dir)
        try:
            # requests (under the SDK) trusts the emulator's CA, as with Azurite.
            os.environ["REQUESTS_CA_BUNDLE"] = banner["ca"]
            run_steps(banner, sample_request)
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(f"{len(STEPS_PASSED)} steps passed, {len(STEPS_FAILED)} failed")
    if STEPS_FAILED:
        print("failed: " + ", ".join(STEPS_FAILED))
        return 1
    return 0


def run_steps(banner, sample_request):
    from azure.ai.ml import MLClient
    from azure.ai.ml.entities import (
        CodeConfiguration,
        KubernetesOnlineDeployment,
        KubernetesOnlineEndpoint,
        ManagedOnlineDeployment,
        ManagedOnlineEndpoint,
        OnlineRequestSettings,
        ProbeSettings,
    )
    from azure.core.exceptions import ResourceNotFoundError

    url = banner["url"].rstrip("/") + "/"
    ml = MLClient(
        EmulatorCredential(banner["token"]),
        subscription_id=banner["subscription"],
        resource_group_name=banner["resource_group"],
        workspace_name=banner["workspace"],
        cloud="AmlRolloutEmulator",
        cloud_metadata={
            "azure_portal": url,
            "resource_manager": url,
            "active_directory": url,
            "aml_resource_id": url,
            "storage_endpoint": "core.windows.net",
            "registry_discovery_endpoint": url,
        },
        enable_telemetry=False,
        show_progress=False,
    )
    endpoint_name = "my-endpoint"

    def deployment(name, model_version, **extra):
        return ManagedOnlineDeployment(
            name=name,
            endpoint_name=endpoint_name,
            model=f"azureml:sklearn-regression:{model_version}",
            environment="azureml:sklearn-1-5:1",
            code_configuration=CodeConfiguration(
                code=f"azureml:onlinescoring:{model_version}", scoring_script="score.py"
            ),
            instance_type="Standard_DS3_v2",
            instance_count=1,
            **extra,
        )

    def set_split(traffic, mirror):
        endpoint = ml.online_endpoints.get(endpoint_name)
        endpoint.traffic = traffic
        endpoint.mirror_traffic = mirror
        return ml.online_endpoints.begin_create_or_update(endpoint).result()

    @step("get the seeded endpoint")
    def _():
        endpoint = ml.online_endpoints.get(endpoint_name)
        assert endpoint.traffic == {"blue": 100}, endpoint.traffic
        assert endpoint.auth_mode == "key", endpoint.auth_mode
        assert endpoint.scoring_uri.startswith(banner["url"]), endpoint.scoring_uri
        assert endpoint.identity is not None and endpoint.identity.principal_id

    @step("list endpoints")
    def _():
        names = [e.name for e in ml.online_endpoints.list()]
        assert endpoint_name in names, names

    @step("scale blue to 2 with begin_create_or_update")
    def _():
        blue = ml.online_deployments.get("blue", endpoint_name)
        blue.instance_count = 2
        ml.online_deployments.begin_create_or_update(blue).result()
        blue = ml.online_deployments.get("blue", endpoint_name)
        assert blue.instance_count == 2, blue.instance_count
        assert blue.provisioning_state == "Succeeded", blue.provisioning_state

    @step("create green at 0%")
    def _():
        ml.online_deployments.begin_create_or_update(deployment("green", 2)).result()
        green = ml.online_deployments.get("green", endpoint_name)
        assert green.provisioning_state == "Succeeded", green.provisioning_state
        traffic = ml.online_endpoints.get(endpoint_name).traffic
        assert traffic.get("green", 0) == 0 and traffic.get("blue") == 100, traffic

    @step("invoke green by deployment_name")
    def _():
        answer = ml.online_endpoints.invoke(
            endpoint_name, request_file=sample_request, deployment_name="green"
        )
        assert answer and answer.strip(), repr(answer)

    @step("mirror 10% to green")
    def _():
        set_split({"blue": 100}, {"green": 10})
        endpoint = ml.online_endpoints.get(endpoint_name)
        assert endpoint.mirror_traffic == {"green": 10}, endpoint.mirror_traffic

    @step("traffic 90+20 refused with HTTP 400")
    def _():
        expect_http_error(400, lambda: set_split({"blue": 90, "green": 20}, {}))
        assert ml.online_endpoints.get(endpoint_name).traffic == {"blue": 100}

    @step("mirror 60% refused with HTTP 400")
    def _():
        expect_http_error(400, lambda: set_split({"blue": 100}, {"green": 60}))
        assert ml.online_endpoints.get(endpoint_name).mirror_traffic == {"green": 10}

    @step("traffic 90/10")
    def _():
        set_split({"blue": 90, "green": 10}, {})
        endpoint = ml.online_endpoints.get(endpoint_name)
        assert endpoint.traffic == {"blue": 90, "green": 10}, endpoint.traffic
        assert not endpoint.mirror_traffic, endpoint.mirror_traffic

    @step("get_logs of both containers")
    def _():
        for container in ("inference-server", "storage-initializer"):
            logs = ml.online_deployments.get_logs(
                "green", endpoint_name, lines=50, container_type=container
            )
            assert logs and logs.strip(), f"{container}: {logs!r}"
        storage = ml.online_deployments.get_logs(
            "green", endpoint_name, lines=50, container_type="storage-initializer"
        )
        assert "sklearn-regression" in storage, storage

    @step("delete blue while it has traffic: refused")
    def _():
        expect_http_error(
            400, lambda: ml.online_deployments.begin_delete("blue", endpoint_name).result()
        )
        assert ml.online_deployments.get("blue", endpoint_name).name == "blue"

    @step("traffic 0/100")
    def _():
        set_split({"blue": 0, "green": 100}, {})
        traffic = ml.online_endpoints.get(endpoint_name).traffic
        assert traffic.get("green") == 100 and traffic.get("blue", 0) == 0, traffic

    @step("delete blue")
    def _():
        ml.online_deployments.begin_delete("blue", endpoint_name).result()
        try:
            ml.online_deployments.get("blue", endpoint_name)
        except ResourceNotFoundError:
            return
        raise AssertionError("blue is still there")

    @step("invoke without a deployment")
    def _():
        answer = ml.online_endpoints.invoke(endpoint_name, request_file=sample_request)
        assert answer and answer.strip(), repr(answer)

    @step("key endpoint: get_keys and begin_regenerate_keys")
    def _():
        endpoint = ManagedOnlineEndpoint(name="keyed-endpoint", auth_mode="key")
        ml.online_endpoints.begin_create_or_update(endpoint).result()
        assert ml.online_endpoints.get("keyed-endpoint").auth_mode == "key"
        before = ml.online_endpoints.get_keys("keyed-endpoint")
        assert before.primary_key and before.secondary_key
        ml.online_endpoints.begin_regenerate_keys("keyed-endpoint", key_type="primary").result()
        after = ml.online_endpoints.get_keys("keyed-endpoint")
        assert after.primary_key != before.primary_key, "the primary key did not change"
        assert after.secondary_key == before.secondary_key

    @step("aml_token endpoint: get_keys gives a token")
    def _():
        endpoint = ManagedOnlineEndpoint(name="token-endpoint", auth_mode="aml_token")
        ml.online_endpoints.begin_create_or_update(endpoint).result()
        assert ml.online_endpoints.get("token-endpoint").auth_mode == "aml_token"
        token = ml.online_endpoints.get_keys("token-endpoint")
        assert token.access_token, token

    @step("Kubernetes endpoint and deployment: create and get")
    def _():
        endpoint = KubernetesOnlineEndpoint(
            name="k8s-endpoint", compute="k8s-compute", auth_mode="key"
        )
        ml.online_endpoints.begin_create_or_update(endpoint).result()
        got = ml.online_endpoints.get("k8s-endpoint")
        assert got.compute and got.compute.endswith("k8s-compute"), got.compute
        k8s = KubernetesOnlineDeployment(
            name="k8s-blue",
            endpoint_name="k8s-endpoint",
            model="azureml:sklearn-regression:1",
            environment="azureml:sklearn-1-5:1",
            code_configuration=CodeConfiguration(
                code="azureml:onlinescoring:1", scoring_script="score.py"
            ),
            instance_count=1,
        )
        ml.online_deployments.begin_create_or_update(k8s).result()
        got = ml.online_deployments.get("k8s-blue", "k8s-endpoint")
        assert got.provisioning_state == "Succeeded", got.provisioning_state
        assert got.scale_settings is not None and got.scale_settings.type == "default"

    @step("a deployment's probes, environment variables and request settings come back as sent")
    def _():
        probe = ProbeSettings(
            failure_threshold=5, success_threshold=1, timeout=3, period=20, initial_delay=15
        )
        sent = deployment(
            "tuned",
            2,
            liveness_probe=probe,
            readiness_probe=ProbeSettings(
                failure_threshold=7, success_threshold=2, timeout=4, period=11, initial_delay=9
            ),
            environment_variables={"WORKERS": "3", "MODE": "fast"},
            request_settings=OnlineRequestSettings(
                request_timeout_ms=7000, max_concurrent_requests_per_instance=3
            ),
        )
        ml.online_deployments.begin_create_or_update(sent).result()
        got = ml.online_deployments.get("tuned", endpoint_name)
        live = got.liveness_probe
        assert (live.failure_threshold, live.success_threshold, live.timeout, live.period, live.initial_delay) == (
            5,
            1,
            3,
            20,
            15,
        ), vars(live)
        ready = got.readiness_probe
        assert (ready.failure_threshold, ready.success_threshold, ready.timeout) == (7, 2, 4), vars(ready)
        assert got.environment_variables == {"WORKERS": "3", "MODE": "fast"}, got.environment_variables
        settings = got.request_settings
        assert settings.request_timeout_ms == 7000, vars(settings)
        assert settings.max_concurrent_requests_per_instance == 3, vars(settings)

    @step("begin_delete an endpoint, then get raises ResourceNotFoundError")
    def _():
        ml.online_endpoints.begin_delete("keyed-endpoint").result()
        try:
            ml.online_endpoints.get("keyed-endpoint")
        except ResourceNotFoundError:
            return
        raise AssertionError("the endpoint is still there")


if __name__ == "__main__":
    sys.exit(main())
