package io.meshorch.rke.application;

import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.VmsReady;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.kit.retry.Retrier;
import io.meshorch.rke.domain.ClusterYml;
import io.meshorch.rke.domain.Kubeconfigs;
import io.meshorch.rke.port.KubernetesDeployerPort;
import io.meshorch.rke.port.RemoteShellPort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * VmsReady → ClusterUp: waits for the nodes over SSH, writes cluster.yml, runs the deployer
 * (retried, as RKE's docs advise for add-on timeouts) and keeps the kubeconfig in the secret store,
 * removing the plain file. Converges on replay: the file is rewritten identically and {@code rke
 * up} on a running cluster changes nothing; the kit skips events already answered.
 */
public final class VmsReadyHandler {
  private final NodeReadiness nodes;
  private final KubernetesDeployerPort deployer;
  private final SecretStore secrets;
  private final EventPublisherPort publisher;
  private final RkeSettings settings;

  public VmsReadyHandler(
      RemoteShellPort shell,
      ExecutorService nodeChecks,
      KubernetesDeployerPort deployer,
      SecretStore secrets,
      EventPublisherPort publisher,
      RkeSettings settings) {
    this.nodes = new NodeReadiness(shell, nodeChecks, settings);
    this.deployer = deployer;
    this.secrets = secrets;
    this.publisher = publisher;
    this.settings = settings;
  }

  public void handle(EventEnvelope event) {
    VmsReady vms = (VmsReady) event.payload();
    progress(event, "waiting for " + vms.nodes().size() + " nodes over SSH");
    List<String> docker = nodes.awaitAll(vms.nodes(), vms.cluster().machine().sshUser());
    progress(
        event, vms.nodes().size() + " nodes ready (docker " + docker.get(0) + "); running rke up");
    Path clusterFile = writeClusterFile(event, vms);
    Path kubeconfigFile =
        new Retrier(settings.rkeRetries())
            .call("rke up " + event.cluster(), () -> deployer.deploy(clusterFile));
    String ref = Kubeconfigs.ref(event.meshId(), event.cluster());
    String apiServer = storeKubeconfig(kubeconfigFile, ref);
    publisher.publish(
        EventEnvelope.create(
            event.meshId(),
            event.cluster(),
            event.eventId(),
            settings.producer(),
            new ClusterUp(vms.cluster(), vms.nodes(), apiServer, ref)));
  }

  private Path writeClusterFile(EventEnvelope event, VmsReady vms) {
    try {
      Path dir = settings.workDir().resolve(event.meshId()).resolve(event.cluster());
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      Path file = dir.resolve("cluster.yml");
      Files.writeString(
          file,
          ClusterYml.render(
              vms.cluster(),
              vms.nodes(),
              settings.sshKeyPath(),
              settings.sshPort(),
              settings.addonJobTimeoutSeconds()));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write cluster.yml of " + event.cluster(), e);
    }
  }

  private String storeKubeconfig(Path file, String ref) {
    try {
      String kubeconfig = Files.readString(file);
      String apiServer;
      try {
        apiServer = Kubeconfigs.apiServer(kubeconfig);
      } catch (IllegalArgumentException e) {
        throw new TerminalFailure(
            "KUBECONFIG_INVALID", "rke wrote a kubeconfig without an API server");
      }
      secrets.put(ref, kubeconfig.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      Files.delete(file);
      return apiServer;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move the kubeconfig into the secret store", e);
    }
  }

  private void progress(EventEnvelope event, String message) {
    publisher.publish(
        EventEnvelope.create(
            event.meshId(),
            event.cluster(),
            event.eventId(),
            settings.producer(),
            new ProgressReported(Stage.KUBERNETES, message)));
  }
}
