package io.meshorch.mesh.config;

import io.meshorch.contracts.EventType;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.Topics;
import io.meshorch.kit.config.MeshServiceProperties;
import io.meshorch.kit.messaging.EventRoute;
import io.meshorch.kit.messaging.TopicReplayer;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.kit.retry.Backoff;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.mesh.adapter.kubernetes.Fabric8ClusterMeshAdapter;
import io.meshorch.mesh.application.ClusterFailedHandler;
import io.meshorch.mesh.application.MeshActionRunner;
import io.meshorch.mesh.application.MeshRejectedHandler;
import io.meshorch.mesh.application.MeshRequestedHandler;
import io.meshorch.mesh.application.MeshResumer;
import io.meshorch.mesh.application.MeshSettings;
import io.meshorch.mesh.application.PortsUpdatedHandler;
import io.meshorch.mesh.domain.MeshLedger;
import io.meshorch.mesh.port.ClusterMeshPort;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Composition root of mesh-service: the ledger rebuilt from Kafka, adapter, handlers, routes. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({
  KubeProperties.class,
  MeshValidationProperties.class,
  MeshConnectProperties.class
})
public class MeshServiceConfiguration {
  /** The topics mesh-service consumes (its listener) and replays at start-up. */
  public static final List<String> INPUT_TOPICS =
      List.of(Topics.REQUESTS, Topics.INFRA, Topics.RKE, Topics.CNI, Topics.LB);

  /**
   * The progress of every mesh, rebuilt before the listener starts by replaying the input topics
   * and this service's own topic (which says which meshes are already done).
   */
  @Bean
  MeshLedger meshLedger(TopicReplayer replayer, MeshServiceProperties service) {
    MeshLedger ledger = new MeshLedger();
    replayer.replay(INPUT_TOPICS, service.replayTimeout(), ledger::record);
    replayer.replay(List.of(service.topic()), service.replayTimeout(), ledger::recordOwn);
    return ledger;
  }

  @Bean
  KubeClientProvider kubeClientProvider(SecretStore secrets, KubeProperties kube) {
    return new KubeClientProvider(secrets, kube.connectTimeout(), kube.requestTimeout());
  }

  @Bean
  ClusterMeshPort clusterMeshPort(KubeClientProvider clients, MeshValidationProperties props) {
    return new Fabric8ClusterMeshAdapter(clients, props.execTimeout(), props.agentContainer());
  }

  @Bean
  MeshActionRunner meshActionRunner(
      ClusterMeshPort mesh,
      EventPublisherPort publisher,
      MeshLedger ledger,
      MeshServiceProperties service,
      MeshValidationProperties validation,
      MeshConnectProperties connect) {
    MeshConnectProperties.Retry retry = connect.writeRetry();
    return new MeshActionRunner(
        mesh,
        publisher,
        ledger,
        new MeshSettings(
            service.name(),
            validation.pollInterval(),
            validation.timeout(),
            new Backoff(retry.attempts(), retry.initialDelay(), retry.maxDelay(), 2.0)));
  }

  /** Resumes, once the application runs, the meshes the replay found unfinished. */
  @Bean
  ApplicationRunner meshResumer(
      MeshLedger ledger, MeshActionRunner runner, ExecutorService meshWorkers) {
    MeshResumer resumer = new MeshResumer(ledger, runner, meshWorkers);
    return args -> resumer.resumeAll();
  }

  @Bean
  EventRoute meshRequestedRoute(MeshLedger ledger, MeshActionRunner runner) {
    return new EventRoute(
        EventType.MESH_REQUESTED, Stage.MESH, new MeshRequestedHandler(ledger, runner)::handle);
  }

  @Bean
  EventRoute meshRejectedRoute(MeshLedger ledger, MeshActionRunner runner) {
    return new EventRoute(
        EventType.MESH_REJECTED, Stage.MESH, new MeshRejectedHandler(ledger, runner)::handle);
  }

  @Bean
  EventRoute portsUpdatedRoute(MeshLedger ledger, MeshActionRunner runner) {
    return new EventRoute(
        EventType.PORTS_UPDATED, Stage.MESH, new PortsUpdatedHandler(ledger, runner)::handle);
  }

  @Bean
  EventRoute clusterFailedRoute(MeshLedger ledger, MeshActionRunner runner) {
    return new EventRoute(
        EventType.CLUSTER_FAILED, Stage.MESH, new ClusterFailedHandler(ledger, runner)::handle);
  }
}
