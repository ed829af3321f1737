package io.meshorch.meshctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshorch.cni.adapter.pki.BouncyCastleCaGenerator;
import io.meshorch.cni.domain.MeshCa;
import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterDeleted;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.MeshDeleted;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.Topics;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.meshctl.follow.MeshRun;
import io.meshorch.meshctl.local.LocalStack;
import io.meshorch.sandbox.core.ClusterRef;
import io.meshorch.sandbox.core.SideEffect;
import io.meshorch.sandbox.kube.SandboxCluster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;

/** The scenarios on local mode's embedded KRaft broker, exactly as {@code ./meshctl up} runs. */
class EmbeddedKafkaMeshE2E extends MeshScenarios {
  @Override
  LocalStack startStack(Path dataDir) {
    // Mesh "lagging": MetalLB's webhook answers 6 s after its controller is ready, longer than
    // the Kubernetes client's own retries of an HTTP 500 (3.5 s). Mesh "cas": west's `rke up`
    // takes 15 s, so that east has its Cilium before west has Kubernetes. Mesh "live": each
    // cluster's `rke up` takes 3 s, long enough to see it running on the dashboard. Mesh "retry":
    // west's Heat stack takes 12 s, longer than infra-service's stack timeout (8 s here; every
    // other stack takes 0.8 s), so its first run fails and a second one finds the stack complete.
    // Mesh "halt": east's Cilium rollout and west's LoadBalancer IP take a minute, so that `down`
    // comes while cni-service and lb-service are in the middle of their steps.
    return LocalStack.start(
        dataDir,
        true,
        LocalStack.DEFAULT_LATENCIES.with(
            "metallb-webhook@lagging/*=6s,rke-up@cas/west=15s,rke-up@live/*=3s,"
                + "heat-stack@retry/west=12s,cilium-rollout@halt/east=60s,lb-ip@halt/west=60s"),
        Map.of("mesh.vms.stack-timeout", "8s"));
  }

  // The dashboard in a real browser, on this platform (its start is the costly part of a test).

  private static DashboardPage page;

  private static DashboardPage page() throws IOException {
    if (page == null) {
      page = DashboardPage.start(stack.bootstrapServers(), data);
    }
    return page;
  }

  @AfterAll
  void closeDashboard() {
    if (page != null) {
      page.close();
    }
  }

  @Test
  void theDashboardShowsAMeshsClustersMovingThroughTheStagesLiveAndEndingReady() throws Exception {
    DashboardPage page = page();
    page.open(page.dashboard().meshUrl("live"));
    page.js("window.sameDocument = true;");
    Path file = data.resolve("live.yaml");
    Files.writeString(
        file,
        """
        mesh: live
        defaults:
          machine: {image: ubuntu-22.04, flavor: m1.large, network: mesh-net, keyName: mesh, sshUser: ubuntu}
        clusters:
          - {name: east, id: 1, nodeCount: 2, podCidr: 10.151.0.0/16, serviceCidr: 10.251.0.0/16, lbAddressPool: 192.168.91.10-192.168.91.19}
          - {name: west, id: 2, nodeCount: 1, podCidr: 10.152.0.0/16, serviceCidr: 10.252.0.0/16, lbAddressPool: 192.168.92.10-192.168.92.19}
        """);
    CompletableFuture<Integer> up =
        CompletableFuture.supplyAsync(() -> meshctl("up", "-f", file.toString()));

    // While `rke up` runs: both clusters have their VMs and are getting Kubernetes, at once.
    await("east and west with their VMs done and Kubernetes running, on the page")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                Stream.of("east", "west")
                    .allMatch(
                        c ->
                            "DONE".equals(page.cellState(c, Stage.VMS))
                                && "RUNNING".equals(page.cellState(c, Stage.KUBERNETES))));
    assertThat(page.text("#mesh-state")).isEqualTo("in progress");
    assertThat(page.cellState("east", Stage.MESH)).isEqualTo("PENDING");
    page.screenshot("dashboard-in-progress.png");

    assertThat(up.get(2, TimeUnit.MINUTES)).as("meshctl up exit code").isZero();
    await("mesh live READY on the page")
        .atMost(Duration.ofSeconds(10))
        .until(() -> "ready".equals(page.text("#mesh-state")));
    for (String cluster : List.of("east", "west")) {
      for (String stage :
          List.of(
              Stage.VMS,
              Stage.KUBERNETES,
              Stage.CNI,
              Stage.LOAD_BALANCER,
              Stage.PORTS,
              Stage.MESH)) {
        assertThat(page.cellState(cluster, stage)).as("%s of %s", stage, cluster).isEqualTo("DONE");
      }
    }
    assertThat(page.text("#nodes tr[data-cluster='east'] td.sees"))
        .isEqualTo("west: mesh-live-west-node-0");
    assertThat(page.js("return window.sameDocument === true;"))
        .as("the page was updated in place, never reloaded")
        .isEqualTo(true);
    assertThat(page.text("#meshes tr[data-mesh='live']")).contains("ready");
    assertThat(page.js("return document.querySelector('#meshes tbody tr').dataset.mesh;"))
        .as("the list, the most recently requested mesh first")
        .isEqualTo("live");
    page.screenshot("dashboard-ready.png");
  }

  @Test
  void theDashboardShowsAFailedMeshsStageAndCauseWhenOpenedById() throws Exception {
    DashboardPage page = page();
    page.open(page.dashboard().url());
    Path file = data.resolve("unreachable.yaml");
    Files.writeString(
        file,
        """
        mesh: unreachable
        defaults:
          machine: {image: ubuntu-22.04, flavor: m1.large, network: no-such-network, keyName: mesh, sshUser: ubuntu}
        clusters:
          - {name: east, id: 1, nodeCount: 1, podCidr: 10.153.0.0/16, serviceCidr: 10.253.0.0/16, lbAddressPool: 192.168.93.10-192.168.93.19}
        """);
    assertThat(meshctl("up", "-f", file.toString())).as("meshctl up exit code").isEqualTo(1);

    page.type("filter", "unreachable", Keys.ENTER);
    // The page learns of the mesh from the dashboard's event stream: 30 s, as for the other live
    // views; a miss says what the page showed and whether its stream was connected.
    await("mesh unreachable FAILED on the page")
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(page.text("#mesh-state"))
                    .as("mesh state on the page (its event stream: %s)", page.text("#connection"))
                    .isEqualTo("failed"));
    assertThat(page.currentUrl()).endsWith("#/mesh/unreachable");
    assertThat(
            page.js(
                "return [...document.querySelectorAll('#meshes tbody tr')].map(r => r.dataset.mesh);"))
        .as("the list filtered by ID")
        .isEqualTo(List.of("unreachable"));
    assertThat(page.cellState("east", Stage.VMS)).isEqualTo("FAILED");
    assertThat(page.cellState("east", Stage.KUBERNETES)).isEqualTo("PENDING");
    assertThat(page.text("#failures tbody tr td.stage")).isEqualTo(Stage.VMS);
    assertThat(page.text("#failures tbody tr td.code")).isEqualTo("NETWORK_NOT_FOUND");
    assertThat(page.text("#failures tbody tr td.reason")).contains("no-such-network");
    page.screenshot("dashboard-failed.png");
  }

  @Test
  void theDashboardShowsTextFromEventsAsTextNeverAsMarkup() throws Exception {
    String markup = "<img src=x onerror=\"window.injected = 1\">";
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      EventEnvelope event =
          EventEnvelope.create(
              "markup", "<b>east</b>", null, "test", new ProgressReported(Stage.CNI, markup));
      producer
          .send(new ProducerRecord<>(Topics.CNI, "markup", new EventCodec().encode(event)))
          .get();
    }
    DashboardPage page = page();
    page.open(page.dashboard().meshUrl("markup"));

    await("mesh markup on the page")
        .atMost(Duration.ofSeconds(30))
        .until(() -> markup.equals(page.text("td.cell[data-stage='cni'] .msg")));
    assertThat(page.text("#grid tbody td.cluster")).isEqualTo("<b>east</b>");
    assertThat(page.js("return document.querySelectorAll('#detail img, #detail b').length;"))
        .isEqualTo(0L);
    assertThat(page.js("return window.injected === undefined;")).isEqualTo(true);
  }

  @Test
  void aClusterThatFailedIsBuiltByUpAgainAndTheHealthyOneIsNotTouchedTwice() throws Exception {
    Path file =
        meshFile(
            "retry",
            "retry.yaml",
            "  - {name: east, id: 1, nodeCount: 1, podCidr: 10.191.0.0/16, serviceCidr:"
                + " 10.195.0.0/16, lbAddressPool: 192.168.91.10-192.168.91.19}\n"
                + "  - {name: west, id: 2, nodeCount: 1, podCidr: 10.192.0.0/16, serviceCidr:"
                + " 10.196.0.0/16, lbAddressPool: 192.168.92.10-192.168.92.19}\n");

    assertThat(meshctl("up", "-f", file.toString())).as("first up exit code").isEqualTo(1);
    MeshFailed failed = (MeshFailed) of("retry", null, MeshFailed.class).get(0).payload();
    assertThat(failed.cluster()).isEqualTo("west");
    assertThat(failed.code()).isEqualTo("HEAT_STACK_TIMEOUT");
    assertThat(failed.retryable()).isTrue();
    // east goes on to the end of its own steps, as a user sees it in `status`
    await("east's PortsUpdated")
        .atMost(Duration.ofSeconds(60))
        .until(() -> !of("retry", "east", PortsUpdated.class).isEmpty());
    Map<String, Map<SideEffect, Long>> before = counts("retry", "east");

    assertThat(meshctl("up", "-f", file.toString())).as("up again exit code").isZero();

    Map<String, Map<SideEffect, Long>> after = counts("retry", "east");
    assertThat(after.get("east").remove(SideEffect.MESH_CONNECTION_WRITTEN))
        .as("east's mesh configuration, written once when the mesh was whole")
        .isEqualTo(before.get("east").remove(SideEffect.MESH_CONNECTION_WRITTEN) + 1);
    assertThat(after).as("every other sandbox counter of east").isEqualTo(before);
    assertThat(counts("retry", "west").get("west"))
        .as("west: its stack reused by the second run, built once")
        .containsEntry(SideEffect.HEAT_STACK_CREATED, 1L)
        .containsEntry(SideEffect.RKE_UP_INVOKED, 1L)
        .containsEntry(SideEffect.CILIUM_INSTALLED, 1L);
    assertThat(status("retry").outcome()).isEqualTo(MeshRun.Outcome.READY);
    assertThat(status("retry").ready().clusters())
        .extracting(MeshReady.MeshClusterView::name)
        .containsExactlyInAnyOrder("east", "west");
  }

  private static Path meshFile(String meshId, String name, String clusters) throws IOException {
    Path file = data.resolve(name);
    Files.writeString(
        file,
        """
        mesh: %s
        defaults:
          machine: {image: ubuntu-22.04, flavor: m1.large, network: mesh-net, keyName: mesh, sshUser: ubuntu}
        clusters:
        """
                .formatted(meshId)
            + clusters);
    return file;
  }

  /** The side effects the sandbox counted for each cluster (every kind, 0 when none). */
  private static Map<String, Map<SideEffect, Long>> counts(String meshId, String... clusters) {
    Map<String, Map<SideEffect, Long>> out = new java.util.TreeMap<>();
    for (String c : clusters) {
      Map<SideEffect, Long> one = new java.util.EnumMap<>(SideEffect.class);
      for (SideEffect effect : SideEffect.values()) {
        one.put(effect, stack.recorder().counters().count(effect, new ClusterRef(meshId, c)));
      }
      out.put(c, one);
    }
    return out;
  }

  /** What {@code meshctl status} says of the mesh: its run, from every event on the bus. */
  private static MeshRun status(String meshId) {
    MeshRun run = new MeshRun(meshId);
    of(meshId, null, io.meshorch.contracts.MeshEvent.class).forEach(run::apply);
    return run;
  }

  @Test
  void aMeshWhoseClustersHoldDifferentCasFailsAtOnceUntilTheyHoldOne() throws Exception {
    Path file = data.resolve("two-cas.yaml");
    Files.writeString(
        file,
        """
        mesh: cas
        defaults:
          machine: {image: ubuntu-22.04, flavor: m1.large, network: mesh-net, keyName: mesh, sshUser: ubuntu}
        clusters:
          - {name: east, id: 1, nodeCount: 1, podCidr: 10.131.0.0/16, serviceCidr: 10.231.0.0/16, lbAddressPool: 192.168.70.10-192.168.70.19}
          - {name: west, id: 2, nodeCount: 1, podCidr: 10.132.0.0/16, serviceCidr: 10.232.0.0/16, lbAddressPool: 192.168.71.10-192.168.71.19}
        """);
    CompletableFuture<Integer> up =
        CompletableFuture.supplyAsync(() -> meshctl("up", "-f", file.toString()));

    // East gets its Cilium, with the mesh CA, while west's Kubernetes is still coming up.
    await("Secret kube-system/cilium-ca in cas/east")
        .atMost(Duration.ofSeconds(60))
        .until(() -> sandboxCluster("cas", "east").map(c -> ciliumCa(c) != null).orElse(false));
    assertThat(of("cas", "west", ClusterUp.class))
        .as("west must get its Cilium after the CA is replaced: is rke-up@cas/west long enough?")
        .isEmpty();
    // Then the mesh CA in the secret store is replaced (a restore, a replica with its own store):
    // west's Cilium comes from another CA than east's.
    MeshCa other =
        new BouncyCastleCaGenerator(Duration.ofDays(1), Clock.systemUTC()).generate("cas");
    new FileSecretStore(stack.secretsDir()).put(MeshCa.secretRef("cas"), other.encode());

    assertThat(up.get(2, TimeUnit.MINUTES)).as("meshctl up exit code").isEqualTo(1);
    assertThat(of("cas", null, ClusterFailed.class)).as("every cluster was built").isEmpty();
    EventEnvelope outcome = of("cas", null, MeshFailed.class).get(0);
    MeshFailed failed = (MeshFailed) outcome.payload();
    assertThat(failed.stage()).isEqualTo("mesh");
    assertThat(failed.code()).isEqualTo("CA_MISMATCH");
    // The CAs as an operator would compare them: openssl's fingerprints of the clusters' ca.crt.
    String eastCa = shortFingerprint(caCertificate("east"));
    String westCa = shortFingerprint(caCertificate("west"));
    assertThat(westCa).isEqualTo(shortFingerprint(other.certificatePem())).isNotEqualTo(eastCa);
    assertThat(failed.reason()).contains("east holds " + eastCa, "west holds " + westCa);
    assertThat(failed.retryable()).as("another CA needs a fix, not another run of up").isFalse();
    Instant lastPorts =
        of("cas", null, PortsUpdated.class).stream()
            .map(EventEnvelope::occurredAt)
            .max(Instant::compareTo)
            .orElseThrow();
    assertThat(Duration.between(lastPorts, outcome.occurredAt()))
        .as("failed at once, not after mesh.validation.timeout")
        .isLessThan(Duration.ofSeconds(30));
    for (String cluster : new String[] {"east", "west"}) {
      KubernetesClient client = sandboxCluster("cas", cluster).orElseThrow().client();
      assertThat(remotes(client, "cilium-clustermesh"))
          .as("%s's agents' remotes", cluster)
          .isZero();
      assertThat(remotes(client, "cilium-kvstoremesh"))
          .as("%s's KVStoreMesh remotes", cluster)
          .isZero();
      Deployment apiserver =
          client
              .apps()
              .deployments()
              .inNamespace("kube-system")
              .withName("clustermesh-apiserver")
              .get();
      assertThat(apiserver.getSpec().getTemplate().getSpec().getHostAliases())
          .as("%s's clustermesh-apiserver host aliases", cluster)
          .isNullOrEmpty();
    }

    // The advice of the reason works: keep the stored CA (west's), give east no other one.
    sandboxCluster("cas", "east")
        .orElseThrow()
        .client()
        .secrets()
        .inNamespace("kube-system")
        .withName("cilium-ca")
        .delete();
    new FileSecretStore(stack.secretsDir())
        .delete("meshes/cas/clusters/east/clustermesh-apiserver-certs");

    assertThat(meshctl("up", "-f", file.toString())).as("meshctl up exit code, again").isZero();
    assertThat(of("cas", null, MeshReady.class)).hasSize(1);
    assertThat(shortFingerprint(caCertificate("east"))).isEqualTo(westCa);
  }

  /** The PEM certificate in {@code ca.crt} of Secret kube-system/cilium-ca of cas/{@code name}. */
  private static String caCertificate(String name) {
    Secret secret = ciliumCa(sandboxCluster("cas", name).orElseThrow());
    return new String(
        Base64.getDecoder().decode(secret.getData().get("ca.crt")), StandardCharsets.US_ASCII);
  }

  /**
   * The first 8 bytes of the SHA-256 fingerprint of the PEM certificate {@code pem}, as {@code
   * openssl x509 -noout -fingerprint -sha256} prints them.
   */
  private static String shortFingerprint(String pem) throws Exception {
    byte[] der =
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
            .getEncoded();
    byte[] sha256 = MessageDigest.getInstance("SHA-256").digest(der);
    return HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha256, 0, 8);
  }

  /** The sandbox's Kubernetes cluster of {@code meshId}/{@code cluster}, once rke up made it. */
  private static Optional<SandboxCluster> sandboxCluster(String meshId, String cluster) {
    return stack.kube().clusters().stream()
        .filter(c -> c.ref().equals(new ClusterRef(meshId, cluster)))
        .findFirst();
  }

  private static Secret ciliumCa(SandboxCluster cluster) {
    return cluster.client().secrets().inNamespace("kube-system").withName("cilium-ca").get();
  }

  /** How many remote clusters Secret {@code kube-system/<name>} configures (0 when absent). */
  private static int remotes(KubernetesClient client, String name) {
    Secret secret = client.secrets().inNamespace("kube-system").withName(name).get();
    return secret == null || secret.getData() == null ? 0 : secret.getData().size();
  }

  @Test
  void aMetalLbPoolWrittenBeforeTheWebhookAnswersIsRetriedAndTheMeshBecomesReady()
      throws IOException {
    Path file = data.resolve("lagging.yaml");
    Files.writeString(
        file,
        """
        mesh: lagging
        defaults:
          machine: {image: ubuntu-22.04, flavor: m1.large, network: mesh-net, keyName: mesh, sshUser: ubuntu}
        clusters:
          - {name: east, id: 1, nodeCount: 1, podCidr: 10.121.0.0/16, serviceCidr: 10.221.0.0/16, lbAddressPool: 192.168.57.10-192.168.57.19}
        """);

    int exit = meshctl("up", "-f", file.toString());

    assertThat(exit).as("meshctl up exit code").isZero();
    assertThat(of("lagging", null, MeshReady.class)).hasSize(1);
    assertThat(of("lagging", null, ClusterFailed.class)).as("a retry, not a failure").isEmpty();
    assertThat(of("lagging", "east", ProgressReported.class))
        .map(EventEnvelope::payload)
        .map(p -> ((ProgressReported) p).message())
        .filteredOn(m -> m.startsWith("MetalLB's webhook does not answer yet"))
        .singleElement()
        .asString()
        .contains(
            "failed calling webhook \"ipaddresspoolvalidationwebhook.metallb.io\"",
            "connect: connection refused");
  }

  @Test
  void downDuringARunStopsTheCniAndLoadBalancerStepsInFlightBeforeTheVmsGo() throws Exception {
    Path file =
        meshFile(
            "halt",
            "halt.yaml",
            "  - {name: east, id: 1, nodeCount: 1, podCidr: 10.171.0.0/16, serviceCidr:"
                + " 10.181.0.0/16, lbAddressPool: 192.168.97.10-192.168.97.19}\n"
                + "  - {name: west, id: 2, nodeCount: 1, podCidr: 10.172.0.0/16, serviceCidr:"
                + " 10.182.0.0/16, lbAddressPool: 192.168.98.10-192.168.98.19}\n");
    CompletableFuture<Integer> up =
        CompletableFuture.supplyAsync(() -> meshctl("up", "-f", file.toString()));
    // Both in the waits of their steps (a call in progress, e.g. an apply, finishes first).
    await("east waiting for its Cilium rollout and west for its LoadBalancer IP")
        .atMost(Duration.ofSeconds(120))
        .until(
            () ->
                progressed("halt", "east", "waiting for the Cilium agents")
                    && progressed("halt", "west", "waiting for MetalLB to assign an IP"));

    assertThat(meshctl("down", "halt")).as("meshctl down exit code").isZero();
    up.get(60, TimeUnit.SECONDS);
    // A step still in flight would answer against clusters that are gone: for 3 s after down,
    // each cluster has its one stop and nothing more.
    await("nothing more from the stopped steps")
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                of("halt", "east", ClusterFailed.class).size() == 1
                    && of("halt", "west", ClusterFailed.class).size() == 1);

    Map<String, String> stageOf = Map.of("east", Stage.CNI, "west", Stage.LOAD_BALANCER);
    for (var cluster : stageOf.entrySet()) {
      List<EventEnvelope> failures = of("halt", cluster.getKey(), ClusterFailed.class);
      assertThat(failures)
          .as(
              "%s: its %s step was stopped, and nothing else failed",
              cluster.getKey(), cluster.getValue())
          .singleElement()
          .satisfies(
              e -> {
                ClusterFailed f = (ClusterFailed) e.payload();
                assertThat(f.stage()).isEqualTo(cluster.getValue());
                assertThat(f.code()).isEqualTo("CANCELLED");
                assertThat(f.reason()).isEqualTo("mesh halt is being deleted (meshctl down)");
              });
      EventEnvelope vmsDeleted =
          of("halt", cluster.getKey(), ClusterDeleted.class).stream()
              .filter(e -> ((ClusterDeleted) e.payload()).part().equals(Stage.VMS))
              .findFirst()
              .orElseThrow();
      assertThat(failures.get(0).occurredAt())
          .as("%s stopped before its VMs were deleted", cluster.getKey())
          .isBefore(vmsDeleted.occurredAt());
    }
    assertThat(of("halt", "east", CiliumReady.class)).isEmpty();
    assertThat(of("halt", null, LbIpAssigned.class)).isEmpty();
    assertThat(of("halt", null, MeshDeleted.class)).hasSize(1);
    assertThat(counts("halt", "east").get("east"))
        .as("east never reached MetalLB")
        .containsEntry(SideEffect.METALLB_INSTALLED, 0L);
  }

  private static boolean progressed(String meshId, String cluster, String messageStart) {
    return of(meshId, cluster, ProgressReported.class).stream()
        .anyMatch(e -> ((ProgressReported) e.payload()).message().startsWith(messageStart));
  }

  @Test
  void aMixedMeshOfAnRke1AndAnRke2ClusterIsReadyAndStatusNamesEachDistribution()
      throws IOException {
    Path file = data.resolve("mixed.yaml");
    Files.writeString(
        file,
        """
        mesh: mixed
        defaults:
          machine: {image: ubuntu-22.04, flavor: m1.large, network: mesh-net, keyName: mesh, sshUser: ubuntu}
          kubernetes: {distribution: rke2}
        clusters:
          - {name: east, id: 1, nodeCount: 1, podCidr: 10.151.0.0/16, serviceCidr: 10.251.0.0/16, lbAddressPool: 192.168.83.10-192.168.83.19, kubernetes: {distribution: rke1}}
          - {name: west, id: 2, nodeCount: 2, podCidr: 10.152.0.0/16, serviceCidr: 10.252.0.0/16, lbAddressPool: 192.168.84.10-192.168.84.19}
        """);

    int exit = meshctl("up", "-f", file.toString());

    assertThat(exit).as("meshctl up exit code").isZero();
    MeshReady ready = (MeshReady) of("mixed", null, MeshReady.class).get(0).payload();
    assertThat(ready.clusters())
        .filteredOn(c -> c.name().equals("west"))
        .singleElement()
        .satisfies(west -> assertThat(west.remoteNodes()).hasSize(1))
        .satisfies(west -> assertThat(west.nodes()).hasSize(2));
    ClusterUp west = (ClusterUp) of("mixed", "west", ClusterUp.class).get(0).payload();
    assertThat(west.cluster().kubernetes().distribution()).isEqualTo("rke2");
    assertThat(west.cluster().kubernetes().version()).as("the default release").isNotBlank();
    ClusterRef westRef = new ClusterRef("mixed", "west");
    ClusterRef eastRef = new ClusterRef("mixed", "east");
    assertThat(stack.recorder().counters().count(SideEffect.RKE2_INSTALLED, westRef))
        .as("RKE2 installed on both west nodes")
        .isEqualTo(2);
    assertThat(stack.recorder().counters().count(SideEffect.RKE_UP_INVOKED, westRef)).isZero();
    assertThat(stack.recorder().counters().count(SideEffect.RKE_UP_INVOKED, eastRef)).isEqualTo(1);
    assertThat(stack.recorder().counters().count(SideEffect.RKE2_INSTALLED, eastRef)).isZero();
    assertThat(stack.kube().cluster(westRef).map(SandboxCluster::nodeNames).orElseThrow())
        .hasSize(2);

    io.meshorch.meshctl.follow.MeshRun run = new io.meshorch.meshctl.follow.MeshRun("mixed");
    of("mixed", null, io.meshorch.contracts.MeshEvent.class).forEach(run::apply);
    tools.jackson.databind.JsonNode status =
        tools.jackson.databind.json.JsonMapper.builder()
            .build()
            .readTree(io.meshorch.meshctl.follow.Render.json(run));
    assertThat(status.at("/status").asString()).isEqualTo("READY");
    assertThat(status.at("/clusters/0/distribution").asString()).isEqualTo("rke1");
    assertThat(status.at("/clusters/0/version").asString())
        .as("east's version, left to rke's default and read from its state")
        .isEqualTo(io.meshorch.sandbox.kube.rke.RkeStandIn.DEFAULT_KUBERNETES_VERSION);
    assertThat(status.at("/clusters/1/distribution").asString()).isEqualTo("rke2");
    assertThat(status.at("/clusters/1/version").asString())
        .isEqualTo(west.cluster().kubernetes().version());
  }
}
