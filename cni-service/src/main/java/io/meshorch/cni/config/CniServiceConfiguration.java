package io.meshorch.cni.config;

import io.meshorch.cni.adapter.kubernetes.Fabric8CiliumInstaller;
import io.meshorch.cni.adapter.pki.BouncyCastleCaGenerator;
import io.meshorch.cni.adapter.pki.StoredMeshCa;
import io.meshorch.cni.application.ClusterUpSteps;
import io.meshorch.cni.application.CniStepSettings;
import io.meshorch.cni.domain.CiliumRelease;
import io.meshorch.cni.port.CiliumInstallerPort;
import io.meshorch.cni.port.MeshCaPort;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.kube.KubeClientProvider;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Composition root of cni-service: the adapters and the step factory. Which event starts which step
 * is in {@link io.meshorch.cni.messaging.CniRoutes}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({CiliumProperties.class, KubeProperties.class})
public class CniServiceConfiguration {

  /** Closed at shutdown: it owns the Vert.x event loops every cluster client and watch share. */
  @Bean(destroyMethod = "close")
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
  ClusterUpSteps clusterUpSteps(
      MeshCaPort meshCa, CiliumInstallerPort installer, CiliumProperties cilium) {
    return new ClusterUpSteps(
        meshCa,
        installer,
        new CniStepSettings(new CiliumRelease(cilium.version()), cilium.readyTimeout()));
  }
}
