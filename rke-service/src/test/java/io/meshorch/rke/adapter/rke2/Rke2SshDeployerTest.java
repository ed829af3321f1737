package io.meshorch.rke.adapter.rke2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.rke.adapter.ssh.SshjRemoteShell;
import io.meshorch.rke.domain.ClusterPlan;
import io.meshorch.rke.domain.HostKeyTrust;
import io.meshorch.rke.domain.Kubeconfig;
import io.meshorch.rke.domain.PlannedNode;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.port.DeployRun;
import io.meshorch.rke.support.TestVm;
import io.meshorch.sandbox.core.ClusterRef;
import io.meshorch.sandbox.core.SideEffect;
import io.meshorch.sandbox.kube.SandboxCluster;
import io.meshorch.sandbox.kube.SandboxKube;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RKE2 deployer over real SSH (pinned host keys) against MINA daemons that answer RKE2's
 * commands with the sandbox's RKE2 model ({@code SandboxKube.rke2()}): install, config.yaml, units,
 * the agents' join and the server's kubeconfig.
 */
@Timeout(120)
class Rke2SshDeployerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final java.util.concurrent.atomic.AtomicInteger SUBNET =
      new java.util.concurrent.atomic.AtomicInteger(70);
  private static SandboxKube kube;

  @TempDir Path dir;
  // Each test its own nodes and cluster: the sandbox's RKE2 keeps state per address.
  private final int subnet = SUBNET.incrementAndGet();
  private final String server = "127.10." + subnet + ".1";
  private final String agent = "127.10." + subnet + ".2";
  private final String cluster = "west" + subnet;
  private final List<TestVm> vms = new ArrayList<>();
  private final List<SshTarget> targets = new ArrayList<>();
  private SecretStore secrets;
  private SshjRemoteShell shell;

  @BeforeAll
  static void sandbox() {
    kube = SandboxKube.builder().controllerInterval(Duration.ofSeconds(1)).build().start();
  }

  @AfterAll
  static void closeSandbox() {
    kube.close();
  }

  @BeforeEach
  void nodes() throws Exception {
    secrets = new FileSecretStore(dir.resolve("secrets"));
    KeyPair user = TestVm.newKey();
    shell = new SshjRemoteShell(TestVm.writePrivateKey(user, dir.resolve("id")), TIMEOUT);
    for (String address : List.of(server, agent)) {
      kube.recorder().registerNode(address, new ClusterRef("m1", cluster));
      TestVm vm =
          TestVm.start(address, 0, user.getPublic(), TestVm.newKey(), Duration.ZERO, kube.rke2());
      vms.add(vm);
      targets.add(
          new SshTarget(
              name(address),
              address,
              vm.port(),
              "ubuntu",
              new HostKeyTrust.Pinned(List.of(vm.fingerprint()))));
    }
  }

  @AfterEach
  void stop() {
    vms.forEach(TestVm::close);
  }

  private String name(String address) {
    return "mesh-m1-" + cluster + "-node-" + (address.equals(server) ? 0 : 1);
  }

  private ClusterPlan plan() {
    return new ClusterPlan(
        "m1",
        cluster,
        List.of(
            new PlannedNode(name(server), server, PlannedNode.rolesFor(0)),
            new PlannedNode(name(agent), agent, PlannedNode.rolesFor(1))),
        "ubuntu",
        22,
        "/keys/id",
        "10.102.0.0/16",
        "10.202.0.0/16",
        "v1.30.4+rke2r1",
        120,
        "rke2");
  }

  /** The install pool, as rke-service's: several nodes prepared at once. */
  private static final ExecutorService INSTALLS = Executors.newFixedThreadPool(4);

  private Rke2SshDeployer deployer(SecretStore store) {
    return new Rke2SshDeployer(
        shell,
        store,
        new Rke2Settings(
            "v1.32.5+rke2r1", "https://get.rke2.io", null, TIMEOUT, Duration.ofSeconds(30)),
        Clock.systemUTC(),
        INSTALLS);
  }

  /** Calls {@code advance} as the step's re-checks would, until the run ended. */
  private static DeployRun drive(DeployRun run, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              run.advance();
              return run.finished();
            });
    return run;
  }

  @Test
  void installsRke2ServerThenAgentRewritesTheKubeconfigAndARerunChangesNothing() {
    Rke2SshDeployer deployer = deployer(secrets);
    DeployRun run = drive(deployer.start(plan(), targets), Duration.ofSeconds(45));

    Kubeconfig kubeconfig = run.result();
    SandboxCluster served = kube.cluster(cluster).orElseThrow();
    assertThat(kubeconfig.apiServerUrl())
        .as("rke2.yaml's 127.0.0.1 rewritten to the first node, scheme and port kept")
        .isEqualTo(served.apiServerUrl())
        .startsWith("http://" + server + ":");
    assertThat(served.nodeNames()).containsExactly(name(server), name(agent));
    assertThat(kube.rke2().installedVersion(agent)).contains("v1.30.4+rke2r1");
    String token =
        new String(
            secrets.get("meshes/m1/clusters/" + cluster + "/rke2-token").orElseThrow(),
            StandardCharsets.UTF_8);
    assertThat(kube.rke2().config(server).orElseThrow())
        .contains("cni: none", "cluster-cidr: 10.102.0.0/16", "service-cidr: 10.202.0.0/16")
        .contains("cluster-dns: 10.202.0.10", "node-name: " + name(server), "- " + server)
        .contains("token: " + token);
    assertThat(kube.rke2().config(agent).orElseThrow())
        .contains("server: https://" + server + ":9345", "token: " + token);
    assertThat(run.describe()).doesNotContain(token);
    assertThat(kube.counters().count(SideEffect.RKE2_INSTALLED, cluster)).isEqualTo(2);

    DeployRun again = drive(deployer.start(plan(), targets), Duration.ofSeconds(10));

    assertThat(again.result().yaml()).isEqualTo(kubeconfig.yaml());
    assertThat(kube.counters().count(SideEffect.RKE2_INSTALLED, cluster))
        .as("no second install")
        .isEqualTo(2);
    assertThat(kube.counters().count(SideEffect.RKE_CLUSTER_STARTED, cluster)).isEqualTo(1);
    assertThat(kube.rke2().journal(server, "rke2-server"))
        .as("no restart of the running server")
        .filteredOn(line -> line.contains("Starting rke2"))
        .hasSize(1);
  }

  @Test
  void anAgentThatCannotReachTheSupervisorPortNeverRegistersAndTheRunSaysWhy() {
    kube.rke2().supervisorReachable(server, false);
    DeployRun run = deployer(secrets).start(plan(), targets);

    await()
        .atMost(Duration.ofSeconds(45))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              run.advance();
              return run.describe().contains("not registered");
            });

    assertThat(run.finished()).as("waits: the server may still open 9345").isFalse();
    assertThat(run.describe())
        .contains(name(agent), "rke2-agent", "cacerts", "connection reset by peer");
    kube.rke2().supervisorReachable(server, true);
    assertThat(drive(run, Duration.ofSeconds(10)).result().apiServerUrl()).contains(server);
  }

  @Test
  void aServerBootstrappedWithAnotherTokenFailsTheRunNamingTheJournal() {
    drive(
        deployer(new FileSecretStore(dir.resolve("other-secrets"))).start(plan(), targets),
        Duration.ofSeconds(45));

    // The secret store lost the token: a new one is generated and the server refuses it.
    DeployRun run = drive(deployer(secrets).start(plan(), targets), Duration.ofSeconds(10));

    assertThatThrownBy(run::result)
        .isInstanceOf(TransientFailure.class)
        .hasMessageContaining("rke2-server on " + name(server) + " failed")
        .hasMessageContaining("encrypted with different token");
  }
}
