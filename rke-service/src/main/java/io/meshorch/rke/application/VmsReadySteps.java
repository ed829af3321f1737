package io.meshorch.rke.application;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.VmsReady;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.kit.step.Step;
import io.meshorch.rke.port.KubernetesDeployerPort;
import io.meshorch.rke.port.RemoteShellPort;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Makes the {@link VmsReadyStep} of each VmsReady: what the steps share (the SSH shell, the
 * deployer, the secret store, the settings and the clock their deadlines are measured with).
 *
 * @param shell runs the node checks
 * @param deployer brings up Kubernetes
 * @param secrets where kubeconfigs and deployment stamps are kept
 * @param settings SSH, timeouts and what to deploy
 * @param clock measures the step's own deadlines (node auth, {@code rke up} time limit)
 * @param probes where the node checks over SSH run, the nodes of a round at once
 */
public record VmsReadySteps(
    RemoteShellPort shell,
    KubernetesDeployerPort deployer,
    SecretStore secrets,
    RkeStepSettings settings,
    Clock clock,
    Executor probes) {

  public VmsReadySteps {
    Objects.requireNonNull(probes, "probes");
    Objects.requireNonNull(shell, "shell");
    Objects.requireNonNull(deployer, "deployer");
    Objects.requireNonNull(secrets, "secrets");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(clock, "clock");
  }

  /**
   * The step bringing up the cluster of {@code event}, a {@link VmsReady}. Creating it does
   * nothing: all work happens in its {@link Step#advance} calls.
   */
  public Step stepFor(EventEnvelope event) {
    if (!(event.payload() instanceof VmsReady)) {
      throw new IllegalArgumentException("not a VmsReady: " + event.type());
    }
    return new VmsReadyStep(event, this);
  }
}
