package io.meshorch.cni.config;

import io.meshorch.cni.adapter.kubernetes.Fabric8CiliumInstaller;
import io.meshorch.cni.adapter.pki.BouncyCastleCaGenerator;
import io.meshorch.cni.adapter.pki.StoredMeshCa;
import io.meshorch.cni.application.ClusterUpHandler;
import io.meshorch.cni.application.CniStepSettings;
import io.meshorch.cni.domain.CiliumRelease;
import io.meshorch.cni.port.CiliumInstallerPort;
import io.meshorch.cni.port.MeshCaPort;
import io.meshorch.contracts.EventType;
import io.meshorch.contracts.Stage;
import io.meshorch.kit.config.MeshServiceProperties;
import io.meshorch.kit.dedupe.HandledEvents;
import io.meshorch.kit.messaging.EventRoute;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.kube.KubeClientProvider;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Composition root of cni-service: adapters, the handler and its route. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({CiliumProperties.class, KubeProperties.class})
public class CniServiceConfiguration {

  @Bean
  KubeClientProvider kubeClientProvider(SecretStore secrets, KubeProperties kube) {
    return new KubeClientProvider(secrets, kube.connectTimeout(), kube.requestTimeout());
  }

  @Bean
  CiliumInstallerPort ciliumInstallerPort(KubeClientProvider clients, KubeProperties kube) {
    return new Fabric8CiliumInstaller(clients, kube.apply());
  }

  @Bean
  MeshCaPort meshCaPort(SecretStore secrets, CiliumProperties cilium) {
    return new StoredMeshCa(
        secrets, new BouncyCastleCaGenerator(cilium.caValidity(), Clock.systemUTC()));
  }

  @Bean
  ClusterUpHandler clusterUpHandler(
      MeshCaPort meshCa,
      CiliumInstallerPort installer,
      EventPublisherPort publisher,
      HandledEvents handled,
      MeshServiceProperties service,
      CiliumProperties cilium) {
    return new ClusterUpHandler(
        meshCa,
        installer,
        publisher,
        handled,
        new CniStepSettings(
            service.name(),
            new CiliumRelease(cilium.version()),
            cilium.readyTimeout(),
            cilium.pollInterval()));
  }

  @Bean
  EventRoute clusterUpRoute(ClusterUpHandler handler) {
    return new EventRoute(EventType.CLUSTER_UP, Stage.CNI, handler::handle);
  }
}
