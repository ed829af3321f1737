package io.meshorch.cni.domain;

import java.util.Objects;

/**
 * Where the Cilium agents and the operator reach the Kubernetes API server directly (the chart's
 * {@code k8sServiceHost}/{@code k8sServicePort}), before the cluster's Service network works.
 *
 * @param host a host name or IP that answers on every node (RKE1: {@code 127.0.0.1}, served by the
 *     kube-apiserver on control-plane nodes and by RKE's {@code nginx-proxy} on the others; RKE2
 *     likewise: the API server on servers, {@code rke2-api-server-agent-load-balancer} on agents)
 * @param port its port ({@code 6443})
 */
public record ApiServerEndpoint(String host, int port) {

  /** Checks that the host is given and the port is a TCP port. */
  public ApiServerEndpoint {
    Objects.requireNonNull(host, "host");
    if (host.isBlank() || port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "the API server endpoint needs a host and a port 1..65535, got " + host + ":" + port);
    }
  }
}
