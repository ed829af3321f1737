package io.meshorch.infra.config;

import io.meshorch.contracts.EventType;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.validation.MeshRequestValidator;
import io.meshorch.infra.adapter.openstack.Openstack4jComputeAdapter;
import io.meshorch.infra.adapter.openstack.Openstack4jNetworkAdapter;
import io.meshorch.infra.adapter.openstack.Openstack4jOrchestrationAdapter;
import io.meshorch.infra.adapter.openstack.OpenstackSession;
import io.meshorch.infra.application.ClusterVmsProvisioner;
import io.meshorch.infra.application.LbIpAssignedHandler;
import io.meshorch.infra.application.MeshRequestedHandler;
import io.meshorch.infra.application.VmsTimings;
import io.meshorch.infra.port.ComputePort;
import io.meshorch.infra.port.NetworkPort;
import io.meshorch.infra.port.OrchestrationPort;
import io.meshorch.kit.config.MeshServiceProperties;
import io.meshorch.kit.dedupe.HandledEvents;
import io.meshorch.kit.messaging.EventRoute;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.kit.retry.Backoff;
import io.meshorch.kit.retry.Retrier;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The composition root of infra-service: OpenStack adapters, handlers and their routes. */
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
  Retrier openstackRetrier(OpenstackProperties props) {
    return new Retrier(
        new Backoff(props.retryAttempts(), props.retryInitialDelay(), props.retryMaxDelay(), 2.0));
  }

  @Bean
  ClusterExecutor clusterExecutor(VmsProperties vms) {
    return new ClusterExecutor(vms.parallelism());
  }

  @Bean
  MeshRequestedHandler meshRequestedHandler(
      OrchestrationPort orchestration,
      ComputePort compute,
      EventPublisherPort publisher,
      HandledEvents handled,
      Retrier openstackRetrier,
      ClusterExecutor clusterExecutor,
      VmsProperties vms,
      MeshServiceProperties service) {
    VmsTimings timings =
        new VmsTimings(
            vms.stackPollInterval(),
            vms.stackTimeout(),
            vms.consolePollInterval(),
            vms.consoleTimeout());
    ClusterVmsProvisioner provisioner =
        new ClusterVmsProvisioner(
            orchestration, compute, publisher, openstackRetrier, timings, service.name());
    return new MeshRequestedHandler(
        new MeshRequestValidator(),
        provisioner,
        publisher,
        handled,
        clusterExecutor.executor,
        timings.clusterBound(),
        service.name());
  }

  @Bean
  LbIpAssignedHandler lbIpAssignedHandler(
      NetworkPort network,
      EventPublisherPort publisher,
      Retrier openstackRetrier,
      OpenstackProperties props,
      MeshServiceProperties service) {
    return new LbIpAssignedHandler(
        network, publisher, openstackRetrier, props.maxAllowedAddressPairs(), service.name());
  }

  @Bean
  EventRoute meshRequestedRoute(MeshRequestedHandler handler) {
    return new EventRoute(EventType.MESH_REQUESTED, Stage.VMS, handler::handle);
  }

  @Bean
  EventRoute lbIpAssignedRoute(LbIpAssignedHandler handler) {
    return new EventRoute(EventType.LB_IP_ASSIGNED, Stage.PORTS, handler::handle);
  }
}
