package io.meshorch.mesh.config;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.Topics;
import io.meshorch.kit.messaging.AssignmentReplay;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.kit.step.CallPools;
import io.meshorch.kit.step.OwnTopicObserver;
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

  /**
   * The progress of every mesh, filled by {@link #meshMemoryReplay}, {@link #meshOwnEvents} and the
   * routes.
   */
  @Bean
  MeshLedger meshLedger() {
    return new MeshLedger();
  }

  /**
   * Rebuilds the ledger and the deletions from the input topics whenever partitions are assigned
   * (at start, and when a rebalance brings partitions from another replica, whose records of them
   * this one never read). Both take repeated facts in their stride, in any order.
   */
  @Bean
  AssignmentReplay meshMemoryReplay(MeshLedger ledger, MeshDeletions deletions) {
    return new AssignmentReplay() {
      @Override
      public List<String> topics() {
        return INPUT_TOPICS;
      }

      @Override
      public void replayed(String topic, EventEnvelope e) {
        // as the routes do: a deletion's facts (its failures too) are not a run's
        if (!deletions.record(e)) {
          ledger.record(e);
        }
      }
    };
  }

  /**
   * What mesh-service published, into the ledger and the deletions (which meshes are done or
   * deleted, which steps were started): live, as the kit's publisher notes each event (the kit's
   * own answers too, e.g. a {@code MeshFailed} for a record it could not process), and from the
   * kit's replay of the own topic on every assignment.
   */
  @Bean
  OwnTopicObserver meshOwnEvents(MeshLedger ledger, MeshDeletions deletions) {
    return e -> {
      ledger.recordOwn(e);
      deletions.record(e);
    };
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
    return CallPools.fixed("mesh-cluster-call", props.parallelism());
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
