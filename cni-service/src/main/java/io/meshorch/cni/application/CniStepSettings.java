package io.meshorch.cni.application;

import io.meshorch.cni.domain.ApiServerEndpoint;
import java.time.Duration;
import java.util.Objects;

/**
 * How the CNI step runs.
 *
 * @param chart the chart archive installed, for messages (e.g. {@code cilium-1.18.12.tgz})
 * @param apiServer where the agents reach the API server ({@code mesh.cilium.k8s-service-host},
 *     {@code -port})
 * @param readyTimeout how long to wait for the agents, the operator and the mesh control plane
 *     ({@code mesh.cilium.ready-timeout})
 */
public record CniStepSettings(String chart, ApiServerEndpoint apiServer, Duration readyTimeout) {

  public CniStepSettings {
    Objects.requireNonNull(chart, "chart");
    Objects.requireNonNull(apiServer, "apiServer");
    Objects.requireNonNull(readyTimeout, "readyTimeout");
  }
}
