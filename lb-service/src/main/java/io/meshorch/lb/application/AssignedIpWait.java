package io.meshorch.lb.application;

import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.lb.domain.AddressPoolSpec;
import io.meshorch.lb.domain.IpVerdict;
import io.meshorch.lb.domain.MeshEndpointService;
import io.meshorch.lb.port.MeshEndpointPort;
import java.time.Duration;
import java.util.Optional;

/** Polls the mesh endpoint Service until MetalLB gave it an IP, bounded by a timeout. */
final class AssignedIpWait {
  private final MeshEndpointPort endpoints;
  private final Duration timeout;
  private final Duration pollInterval;

  AssignedIpWait(MeshEndpointPort endpoints, Duration timeout, Duration pollInterval) {
    this.endpoints = endpoints;
    this.timeout = timeout;
    this.pollInterval = pollInterval;
  }

  /**
   * The assigned IP once there is one inside {@code pool}.
   *
   * @throws TerminalFailure {@code LB_IP_OUTSIDE_POOL} or {@code LB_IP_NOT_IPV4} for a wrong IP
   * @throws TransientFailure {@code LB_IP_TIMEOUT} when no IP came in time
   */
  String await(String kubeconfigRef, AddressPoolSpec pool) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<String> ip = endpoints.assignedIp(kubeconfigRef);
      if (ip.isPresent()) {
        return checked(ip.get(), pool);
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new TransientFailure(
            "LB_IP_TIMEOUT",
            "Service "
                + MeshEndpointService.NAMESPACE
                + "/"
                + MeshEndpointService.NAME
                + " got no status.loadBalancer.ingress IP within "
                + timeout
                + " (mesh.metallb.ip-timeout); is the MetalLB speaker running and the pool "
                + pool.addresses()
                + " free?");
      }
      pause();
    }
  }

  static String checked(String ip, AddressPoolSpec pool) {
    IpVerdict verdict = pool.judge(ip);
    return switch (verdict) {
      case INSIDE_POOL -> ip;
      case OUTSIDE_POOL ->
          throw new TerminalFailure(
              "LB_IP_OUTSIDE_POOL",
              "status.loadBalancer.ingress[0].ip "
                  + ip
                  + " of the mesh endpoint lies outside the cluster's lbAddressPool "
                  + pool.addresses());
      case NOT_IPV4 ->
          throw new TerminalFailure(
              "LB_IP_NOT_IPV4",
              "status.loadBalancer.ingress[0].ip '" + ip + "' of the mesh endpoint is not IPv4");
    };
  }

  private void pause() {
    try {
      Thread.sleep(pollInterval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientFailure("INTERRUPTED", "interrupted while waiting for the LB IP", e);
    }
  }
}
