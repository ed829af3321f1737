package io.meshorch.lb.config;

import io.meshorch.kit.port.SecretStore;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.lb.adapter.kubernetes.Fabric8MeshEndpointAdapter;
import io.meshorch.lb.adapter.kubernetes.Fabric8MetalLbInstaller;
import io.meshorch.lb.application.LbStepSettings;
import io.meshorch.lb.application.LoadBalancerSteps;
import io.meshorch.lb.domain.MetalLbRelease;
import io.meshorch.lb.port.MeshEndpointPort;
import io.meshorch.lb.port.MetalLbPort;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Composition root of lb-service: adapters and the step factory. The route table (which event
 * starts which step) is {@code messaging.LbServiceRoutes}, next to the listener.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({MetalLbProperties.class, KubeProperties.class})
public class LbServiceConfiguration {

  /** Closed on shutdown: it owns the Vert.x event loops and watch callback threads. */
  @Bean(destroyMethod = "close")
  KubeClientProvider kubeClientProvider(SecretStore secrets, KubeProperties kube) {
    return new KubeClientProvider(secrets, kube.connectTimeout(), kube.requestTimeout());
  }

  @Bean
  MetalLbPort metalLbPort(KubeClientProvider clients) {
    return new Fabric8MetalLbInstaller(clients);
  }

  @Bean
  MeshEndpointPort meshEndpointPort(KubeClientProvider clients) {
    return new Fabric8MeshEndpointAdapter(clients);
  }

  @Bean
  LoadBalancerSteps loadBalancerSteps(
      MetalLbPort metalLb, MeshEndpointPort endpoints, MetalLbProperties props) {
    return new LoadBalancerSteps(
        metalLb,
        endpoints,
        new LbStepSettings(
            new MetalLbRelease(props.version()),
            props.pinFirstAddress(),
            props.controllerTimeout(),
            props.webhookTimeout(),
            props.ipTimeout()));
  }
}
