package io.meshorch.infra.config;

import io.meshorch.contracts.validation.MeshRequestValidator;
import io.meshorch.infra.adapter.openstack.Openstack4jComputeAdapter;
import io.meshorch.infra.adapter.openstack.Openstack4jNetworkAdapter;
import io.meshorch.infra.adapter.openstack.Openstack4jOrchestrationAdapter;
import io.meshorch.infra.adapter.openstack.OpenstackSession;
import io.meshorch.infra.application.LbIpAssignedSteps;
import io.meshorch.infra.application.MeshRequestedSteps;
import io.meshorch.infra.application.VmsTimings;
import io.meshorch.infra.port.ComputePort;
import io.meshorch.infra.port.NetworkPort;
import io.meshorch.infra.port.OrchestrationPort;
import java.time.Clock;
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
    return new OpenstackSession(
        new CloudCredentialsSource(props, System.getenv()),
        props.connectTimeout(),
        props.readTimeout(),
        props.tokenRefreshMargin());
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
      OrchestrationPort orchestration, ComputePort compute, VmsProperties vms) {
    return new MeshRequestedSteps(
        new MeshRequestValidator(),
        orchestration,
        compute,
        new VmsTimings(vms.stackTimeout(), vms.consoleTimeout()),
        Clock.systemUTC());
  }

  @Bean
  LbIpAssignedSteps lbIpAssignedSteps(NetworkPort network, OpenstackProperties props) {
    return new LbIpAssignedSteps(network, props.maxAllowedAddressPairs());
  }
}
