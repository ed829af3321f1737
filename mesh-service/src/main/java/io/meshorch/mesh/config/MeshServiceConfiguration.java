package io.meshorch.mesh.config;

import io.meshorch.contracts.Topics;
import io.meshorch.kit.config.MeshServiceProperties;
import io.meshorch.kit.messaging.AssignmentReplay;
import io.meshorch.kit.messaging.TopicReplayer;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.mesh.adapter.kubernetes.Fabric8ClusterMeshAdapter;
import io.meshorch.mesh.application.MeshDeleteSteps;
import io.meshorch.mesh.application.MeshSteps;
import io.meshorch.mesh.domain.MeshDeletions;
import io.meshorch.mesh.domain.MeshLedger;
import io.meshorch.mesh.port.ClusterMeshPort;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Composition root of mesh-service: the ledger rebuilt from Kafka, the Kubernetes adapter and the
 * step factory the routes ({@code messaging.MeshRoutes}) plan with.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({
  KubeProperties.class,
  MeshValidationProperties.class,
  MeshDeleteProperties.class
})
public class MeshServiceConfiguration {
  /** The topics mesh-service consumes (its listener) and replays when partitions are assigned. */
  public static final List<String> INPUT_TOPICS =
      List.of(Topics.REQUESTS, Topics.INFRA, Topics.RKE, Topics.CNI, Topics.LB);

  /** The progress of every mesh, filled by {@link #meshMemoryReplay} and the routes. */
  @Bean
  MeshLedger meshLedger() {
    return new MeshLedger();
  }

  /**
   * Rebuilds the ledger and the deletions whenever partitions are assigned (at start, and when a
   * rebalance brings partitions from another replica, whose records of them this one never read) by
   * replaying the input topics and this service's own topic (which says which meshes are done and
   * which steps were started). Both take repeated facts in their stride.
   */
  @Bean
  AssignmentReplay meshMemoryReplay(
      TopicReplayer replayer,
      MeshServiceProperties service,
      MeshLedger ledger,
      MeshDeletions deletions) {
    return () -> replay(replayer, service, ledger, deletions);
  }

  private static void replay(
      TopicReplayer replayer,
      MeshServiceProperties service,
      MeshLedger ledger,
      MeshDeletions deletions) {
    replayer.replay(
        INPUT_TOPICS,
        service.replayTimeout(),
        e -> {
          // as the routes do: a deletion's facts (its failures too) are not a run's
          if (!deletions.record(e)) {
            ledger.record(e);
          }
        });
    replayer.replay(
        List.of(service.topic()),
        service.replayTimeout(),
        e -> {
          ledger.recordOwn(e);
          deletions.record(e);
        });
  }

  /**
   * What mesh-service knows about deleting each mesh; filled by the same replay as the ledger
   * ({@link #meshMemoryReplay}), then by the routes.
   */
  @Bean
  MeshDeletions meshDeletions() {
    return new MeshDeletions();
  }

  @Bean
  MeshDeleteSteps meshDeleteSteps(
      MeshDeletions deletions, SecretStore secrets, MeshDeleteProperties props) {
    return new MeshDeleteSteps(deletions, secrets, props.timeout(), Clock.systemUTC());
  }

  /** Clients of the clusters; closed at shutdown (after the steps stopped) with its Vert.x. */
  @Bean(destroyMethod = "close")
  KubeClientProvider kubeClientProvider(SecretStore secrets, KubeProperties kube) {
    return new KubeClientProvider(secrets, kube.connectTimeout(), kube.requestTimeout());
  }

  @Bean
  ClusterMeshPort clusterMeshPort(KubeClientProvider clients, MeshValidationProperties props) {
    return new Fabric8ClusterMeshAdapter(clients, props.execTimeout(), props.agentContainer());
  }

  /**
   * The threads that call the clusters during the mesh step (CAs, connection writes, agents);
   * stopped at shutdown.
   */
  @Bean(destroyMethod = "shutdownNow")
  ExecutorService meshClusterCalls(MeshValidationProperties props) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(
        props.parallelism(),
        r -> {
          Thread t = new Thread(r, "mesh-cluster-call-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  @Bean
  MeshSteps meshSteps(
      MeshLedger ledger,
      ClusterMeshPort mesh,
      MeshValidationProperties props,
      ExecutorService meshClusterCalls) {
    return new MeshSteps(ledger, mesh, props.timeout(), Clock.systemUTC(), meshClusterCalls);
  }
}
