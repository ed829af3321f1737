package io.meshorch.infra.config;

import io.meshorch.contracts.validation.Ipv4Block;
import io.meshorch.contracts.validation.MeshRequestValidator;
import io.meshorch.infra.adapter.openstack.Openstack4jComputeAdapter;
import io.meshorch.infra.adapter.openstack.Openstack4jNetworkAdapter;
import io.meshorch.infra.adapter.openstack.Openstack4jOrchestrationAdapter;
import io.meshorch.infra.adapter.openstack.OpenstackSession;
import io.meshorch.infra.application.FootprintObserver;
import io.meshorch.infra.application.LbIpAssignedSteps;
import io.meshorch.infra.application.MeshDeleteRequestedSteps;
import io.meshorch.infra.application.MeshRequestedSteps;
import io.meshorch.infra.application.NodeSetup;
import io.meshorch.infra.application.VmsTimings;
import io.meshorch.infra.domain.MeshFootprint;
import io.meshorch.infra.port.ComputePort;
import io.meshorch.infra.port.NetworkPort;
import io.meshorch.infra.port.OrchestrationPort;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The composition root of infra-service: the OpenStack adapters and the step factories the routes
 * ({@code messaging.InfraRoutes}) start steps with.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({OpenstackProperties.class, VmsProperties.class})
public class InfraConfiguration {

  @Bean
  OpenstackSession openstackSession(OpenstackProperties props) {
    return OpenstackSession.paced(
        new CloudCredentialsSource(props, System.getenv()),
        props.connectTimeout(),
        props.readTimeout(),
        props.tokenRefreshMargin(),
        props.rateLimit(),
        props.rateLimitBurst());
  }

  @Bean
  OrchestrationPort orchestrationPort(OpenstackSession session, VmsProperties vms) {
    return new Openstack4jOrchestrationAdapter(session, vms.stackTimeout());
  }

  @Bean
  ComputePort computePort(OpenstackSession session, OpenstackProperties props) {
    return new Openstack4jComputeAdapter(session, props.consoleLines());
  }

  @Bean
  NetworkPort networkPort(OpenstackSession session) {
    return new Openstack4jNetworkAdapter(session);
  }

  @Bean
  MeshRequestedSteps meshRequestedSteps(
      OrchestrationPort orchestration, ComputePort compute, NetworkPort network, VmsProperties vms)
      throws IOException {
    return new MeshRequestedSteps(
        new MeshRequestValidator(),
        orchestration,
        compute,
        network,
        nodeSetup(vms),
        new VmsTimings(vms.stackTimeout(), vms.consoleTimeout()),
        Clock.systemUTC());
  }

  /** Reads the operator's user data once, at start: a missing file stops the service at once. */
  static NodeSetup nodeSetup(VmsProperties vms) throws IOException {
    Optional<String> userData =
        vms.userDataFile() == null
            ? Optional.empty()
            : Optional.of(Files.readString(vms.userDataFile(), StandardCharsets.UTF_8));
    List<String> cidrs =
        vms.orchestratorCidrs().stream().map(String::strip).filter(c -> !c.isEmpty()).toList();
    for (String cidr : cidrs) {
      if (Ipv4Block.parseCidr(cidr).isEmpty()) {
        throw new IllegalArgumentException(
            "mesh.vms.orchestrator-cidrs: '" + cidr + "' is not an IPv4 CIDR");
      }
    }
    return new NodeSetup(userData, cidrs);
  }

  /** What infra-service built per mesh, from its own topic (see {@link FootprintObserver}). */
  @Bean
  MeshFootprint meshFootprint() {
    return new MeshFootprint();
  }

  @Bean
  FootprintObserver footprintObserver(MeshFootprint footprint) {
    return new FootprintObserver(footprint);
  }

  @Bean
  MeshDeleteRequestedSteps meshDeleteRequestedSteps(
      MeshFootprint footprint,
      OrchestrationPort orchestration,
      NetworkPort network,
      VmsProperties vms) {
    return new MeshDeleteRequestedSteps(footprint, orchestration, network, vms.stackTimeout());
  }

  @Bean
  LbIpAssignedSteps lbIpAssignedSteps(NetworkPort network, OpenstackProperties props) {
    return new LbIpAssignedSteps(network, props.maxAllowedAddressPairs());
  }
}
