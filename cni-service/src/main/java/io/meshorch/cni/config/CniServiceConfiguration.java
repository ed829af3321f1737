package io.meshorch.cni.config;

import io.meshorch.charts.ChartArchive;
import io.meshorch.cni.adapter.kubernetes.CiliumChart;
import io.meshorch.cni.adapter.kubernetes.Fabric8CiliumInstaller;
import io.meshorch.cni.adapter.pki.BouncyCastleCaGenerator;
import io.meshorch.cni.adapter.pki.BouncyCastleCertIssuer;
import io.meshorch.cni.adapter.pki.StoredClusterMeshCerts;
import io.meshorch.cni.adapter.pki.StoredMeshCa;
import io.meshorch.cni.application.ClusterUpSteps;
import io.meshorch.cni.application.CniStepSettings;
import io.meshorch.cni.application.InstalledClusters;
import io.meshorch.cni.domain.ApiServerEndpoint;
import io.meshorch.cni.port.CiliumInstallerPort;
import io.meshorch.cni.port.ClusterMeshCertsPort;
import io.meshorch.cni.port.MeshCaPort;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.kube.KubeClientProvider;
import java.nio.file.Path;
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

  /**
   * The chart archive, checked against its SHA-256 here, at start: a service pointed at a wrong or
   * tampered archive does not start (the error names the file and both digests).
   */
  @Bean
  ChartArchive ciliumChartArchive(CiliumProperties cilium) {
    return chartArchive(cilium.chart(), cilium.chartSha256());
  }

  static ChartArchive chartArchive(String chart, String sha256) {
    if (chart.contains("/")) {
      if (sha256.isBlank()) {
        throw new IllegalArgumentException(
            "mesh.cilium.chart-sha256 is required when mesh.cilium.chart is a path ("
                + chart
                + ")");
      }
      return ChartArchive.fromFile(Path.of(chart), sha256);
    }
    return sha256.isBlank() ? ChartArchive.bundled(chart) : ChartArchive.bundled(chart, sha256);
  }

  @Bean
  CiliumChart ciliumChart(ChartArchive ciliumChartArchive, CiliumProperties cilium) {
    return CiliumChart.of(ciliumChartArchive, cilium.kubeVersion());
  }

  @Bean
  CiliumInstallerPort ciliumInstallerPort(KubeClientProvider clients, CiliumChart ciliumChart) {
    return new Fabric8CiliumInstaller(clients, ciliumChart);
  }

  @Bean
  ClusterMeshCertsPort clusterMeshCertsPort(SecretStore secrets, CiliumProperties cilium) {
    return new StoredClusterMeshCerts(
        secrets, new BouncyCastleCertIssuer(cilium.certValidity(), Clock.systemUTC()));
  }

  @Bean
  MeshCaPort meshCaPort(SecretStore secrets, CiliumProperties cilium) {
    return new StoredMeshCa(
        secrets, new BouncyCastleCaGenerator(cilium.caValidity(), Clock.systemUTC()));
  }

  @Bean
  ClusterUpSteps clusterUpSteps(
      MeshCaPort meshCa,
      ClusterMeshCertsPort certs,
      CiliumInstallerPort installer,
      CiliumChart ciliumChart,
      CiliumProperties cilium,
      InstalledClusters installed) {
    return new ClusterUpSteps(
        meshCa,
        certs,
        installer,
        new CniStepSettings(
            ciliumChart.archiveName(),
            new ApiServerEndpoint(cilium.k8sServiceHost(), cilium.k8sServicePort()),
            cilium.readyTimeout()),
        installed);
  }

  /** The clusters this service installed Cilium in, from its own topic. */
  @Bean
  InstalledClusters installedClusters() {
    return new InstalledClusters();
  }
}
