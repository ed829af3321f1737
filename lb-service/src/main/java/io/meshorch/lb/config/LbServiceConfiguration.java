package io.meshorch.lb.config;

import io.meshorch.kit.port.SecretStore;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.lb.adapter.kubernetes.Fabric8MeshEndpointAdapter;
import io.meshorch.lb.adapter.kubernetes.Fabric8MetalLbInstaller;
import io.meshorch.lb.adapter.kubernetes.MetalLbManifest;
import io.meshorch.lb.application.LbStepSettings;
import io.meshorch.lb.application.LoadBalancerSteps;
import io.meshorch.lb.port.MeshEndpointPort;
import io.meshorch.lb.port.MetalLbPort;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

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

  /**
   * MetalLB's manifests, checked against their checksum before anything runs: a mismatch stops
   * lb-service at start with the file, the expected and the actual checksum.
   */
  @Bean
  MetalLbManifest metalLbManifest(MetalLbProperties props, ResourceLoader resources)
      throws IOException {
    Resource file = resources.getResource(props.manifests());
    if (!file.exists()) {
      throw new IllegalStateException(
          "MetalLB manifests " + props.manifests() + " (mesh.metallb.manifests) do not exist");
    }
    try (InputStream in = file.getInputStream()) {
      return MetalLbManifest.load(props.manifests(), in.readAllBytes(), props.manifestsSha256());
    }
  }

  @Bean
  MetalLbPort metalLbPort(KubeClientProvider clients, MetalLbManifest manifest) {
    return new Fabric8MetalLbInstaller(clients, manifest);
  }

  @Bean
  MeshEndpointPort meshEndpointPort(KubeClientProvider clients) {
    return new Fabric8MeshEndpointAdapter(clients);
  }

  @Bean
  LoadBalancerSteps loadBalancerSteps(
      MetalLbPort metalLb,
      MeshEndpointPort endpoints,
      MetalLbManifest manifest,
      MetalLbProperties props) {
    return new LoadBalancerSteps(
        metalLb,
        endpoints,
        new LbStepSettings(
            manifest.release(),
            props.pinFirstAddress(),
            props.controllerTimeout(),
            props.webhookTimeout(),
            props.endpointTimeout(),
            props.ipTimeout()),
        Clock.systemUTC());
  }
}
