package io.meshorch.lb.config;

import io.meshorch.contracts.EventType;
import io.meshorch.contracts.Stage;
import io.meshorch.kit.config.MeshServiceProperties;
import io.meshorch.kit.dedupe.HandledEvents;
import io.meshorch.kit.messaging.EventRoute;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.kit.retry.Backoff;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.lb.adapter.kubernetes.Fabric8MeshEndpointAdapter;
import io.meshorch.lb.adapter.kubernetes.Fabric8MetalLbInstaller;
import io.meshorch.lb.application.CiliumReadyHandler;
import io.meshorch.lb.application.LbStepSettings;
import io.meshorch.lb.domain.MetalLbRelease;
import io.meshorch.lb.port.MeshEndpointPort;
import io.meshorch.lb.port.MetalLbPort;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Composition root of lb-service: adapters, the handler and its route. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({MetalLbProperties.class, KubeProperties.class})
public class LbServiceConfiguration {

  @Bean
  KubeClientProvider kubeClientProvider(SecretStore secrets, KubeProperties kube) {
    return new KubeClientProvider(secrets, kube.connectTimeout(), kube.requestTimeout());
  }

  @Bean
  MetalLbPort metalLbPort(KubeClientProvider clients, MetalLbProperties props) {
    MetalLbProperties.Retry retry = props.webhookRetry();
    return new Fabric8MetalLbInstaller(
        clients,
        new Backoff(retry.attempts(), retry.initialDelay(), retry.maxDelay(), 2.0),
        props.pollInterval());
  }

  @Bean
  MeshEndpointPort meshEndpointPort(KubeClientProvider clients) {
    return new Fabric8MeshEndpointAdapter(clients);
  }

  @Bean
  CiliumReadyHandler ciliumReadyHandler(
      MetalLbPort metalLb,
      MeshEndpointPort endpoints,
      EventPublisherPort publisher,
      HandledEvents handled,
      MeshServiceProperties service,
      MetalLbProperties props) {
    return new CiliumReadyHandler(
        metalLb,
        endpoints,
        publisher,
        handled,
        new LbStepSettings(
            service.name(),
            new MetalLbRelease(props.version()),
            props.pinFirstAddress(),
            props.controllerTimeout(),
            props.ipTimeout(),
            props.pollInterval()));
  }

  @Bean
  EventRoute ciliumReadyRoute(CiliumReadyHandler handler) {
    return new EventRoute(EventType.CILIUM_READY, Stage.LOAD_BALANCER, handler::handle);
  }
}
