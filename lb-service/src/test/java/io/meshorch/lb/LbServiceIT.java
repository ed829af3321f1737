package io.meshorch.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.StepStarted;
import io.meshorch.contracts.Topics;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.lb.adapter.kubernetes.SandboxClusters;
import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.kube.SandboxCluster;
import io.meshorch.sandbox.kube.SandboxKube;
import io.meshorch.sandbox.kube.rke.RkeStandIn;
import io.meshorch.testkit.EventProbe;
import io.meshorch.testkit.Samples;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * lb-service through Kafka against the sandbox's Kubernetes: API servers brought up by its {@code
 * rke} stand-in, whose kubelet makes MetalLB's controller available and whose MetalLB assigns
 * LoadBalancer IPs from the pools lb-service writes. Cilium's mesh endpoint Service is applied as
 * cni-service applies it from the chart, or left out or mistyped to show what a user sees then.
 */
@SpringBootTest(
    classes = LbServiceApplication.class,
    properties = {
      "spring.config.name=" + LbServiceApplication.CONFIG_NAME,
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      "mesh.service.declared-topics=" + Topics.CNI,
      "server.port=0",
      "mesh.metallb.controller-timeout=20s",
      "mesh.metallb.ip-timeout=20s",
      "mesh.metallb.endpoint-timeout=" + LbServiceIT.ENDPOINT_TIMEOUT,
    })
@EmbeddedKafka(brokerProperties = "auto.create.topics.enable=false")
class LbServiceIT {
  static final String ENDPOINT_TIMEOUT = "8s";
  private static final EventCodec CODEC = new EventCodec();
  private static final Pattern TOKEN = Pattern.compile("token: \"([^\"]+)\"");

  @TempDir static Path secrets;
  @TempDir static Path rkeDir;

  private static SandboxKube kube;
  private static EventProbe probe;

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired SecretStore secretStore;

  @DynamicPropertySource
  static void secretsDir(DynamicPropertyRegistry registry) {
    registry.add("mesh.service.secrets-dir", () -> secrets.toString());
  }

  @BeforeAll
  static void startPeers(@Autowired EmbeddedKafkaBroker broker) {
    // Cluster "lagging": MetalLB's webhook answers 6 s after its controller is ready, longer than
    // fabric8's own retries of an HTTP 500 (3.5 s), so lb-service sees the refusal.
    kube =
        SandboxKube.builder()
            .controllerInterval(Duration.ofMillis(100))
            .latencies(SandboxLatencies.parse("fast,metallb-webhook@lagging=6s"))
            .build()
            .start();
    probe = new EventProbe(broker.getBrokersAsString(), List.of(Topics.LB));
  }

  @AfterAll
  static void stopPeers() {
    probe.close();
    kube.close();
  }

  /** Runs the sandbox's {@code rke up} for a one-node cluster and stores its kubeconfig. */
  private SandboxCluster clusterUp(String name, String address, String ref) throws Exception {
    Path dir = Files.createDirectories(rkeDir.resolve(name));
    Path key = Files.writeString(dir.resolve("id_key"), "not read by the sandbox");
    Path yml =
        Files.writeString(
            dir.resolve("cluster.yml"),
            """
            cluster_name: %s
            ssh_key_path: %s
            nodes:
            - {address: %s, user: ubuntu, role: [controlplane, etcd, worker]}
            network: {plugin: none}
            """
                .formatted(name, key, address));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        RkeStandIn.run(
            new String[] {"up", "--config", yml.toString()},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            kube.rkeControlUrl().toString());
    assertThat(exit).as(out.toString(StandardCharsets.UTF_8)).isZero();
    SandboxCluster cluster = kube.cluster(name).orElseThrow();
    secretStore.put(ref, cluster.kubeconfig().getBytes(StandardCharsets.UTF_8));
    return cluster;
  }

  /**
   * A cluster as cni-service leaves it for lb-service: up, with Cilium's mesh endpoint Service
   * applied from the chart as type LoadBalancer.
   */
  private SandboxCluster clusterWithCilium(String name, String address, String ref)
      throws Exception {
    SandboxCluster cluster = clusterUp(name, address, ref);
    SandboxClusters.ciliumAppliesMeshEndpoint(cluster.client(), "LoadBalancer");
    return cluster;
  }

  private static EventEnvelope ciliumReady(String meshId, ClusterSpec spec, String kubeconfigRef) {
    return EventEnvelope.create(
        meshId,
        spec.name(),
        UUID.randomUUID(),
        "cni-service",
        new CiliumReady(spec, Samples.nodes(meshId, spec), kubeconfigRef, "1.18.2"));
  }

  private void send(EventEnvelope event) throws Exception {
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", broker.getBrokersAsString()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(Topics.CNI, event.meshId(), CODEC.encode(event))).get();
    }
  }

  private static List<EventEnvelope> causedBy(EventEnvelope in) {
    return probe.events().stream().filter(e -> in.eventId().equals(e.causationId())).toList();
  }

  private static Service meshEndpoint(SandboxCluster cluster) {
    return cluster
        .client()
        .services()
        .inNamespace("kube-system")
        .withName("clustermesh-apiserver")
        .get();
  }

  @Test
  void answersCiliumReadyWithThePoolIpOfTheMeshEndpointOnceEvenWhenRedelivered() throws Exception {
    String ref = "meshes/it/clusters/east/kubeconfig";
    SandboxCluster cluster = clusterWithCilium("east", "127.30.1.1", ref);
    ClusterSpec east = Samples.cluster("east", 1, 1);
    EventEnvelope in = ciliumReady("it", east, ref);

    send(in);
    EventEnvelope out =
        probe.await(
            Duration.ofSeconds(60),
            e -> in.eventId().equals(e.causationId()) && e.payload() instanceof LbIpAssigned);
    send(in);
    EventEnvelope marker =
        ciliumReady("it", Samples.cluster("marker", 9, 1), "meshes/it/clusters/none/kubeconfig");
    send(marker);
    probe.await(Duration.ofSeconds(30), e -> marker.eventId().equals(e.causationId()));

    assertThat(out.payload())
        .isEqualTo(new LbIpAssigned(east, Samples.nodes("it", east), ref, "192.168.51.10", 2379));
    assertThat(out.cluster()).isEqualTo("east");
    assertThat(out.producer()).isEqualTo("lb-service");
    List<EventEnvelope> answers = causedBy(in);
    assertThat(answers.get(0).payload())
        .as("the step is recorded as started before anything else is said about it")
        .isInstanceOfSatisfying(
            StepStarted.class,
            s -> {
              assertThat(s.stage()).isEqualTo(Stage.LOAD_BALANCER);
              assertThat(s.triggerTopic()).isEqualTo(Topics.CNI);
            });
    assertThat(answers)
        .filteredOn(e -> e.payload() instanceof ProgressReported)
        .isNotEmpty()
        .allSatisfy(
            e -> assertThat(((ProgressReported) e.payload()).stage()).isEqualTo("loadbalancer"));
    assertThat(answers)
        .as("a redelivered CiliumReady is neither started nor answered again")
        .filteredOn(e -> !(e.payload() instanceof ProgressReported))
        .extracting(e -> e.payload().getClass().getSimpleName())
        .containsExactly("StepStarted", "LbIpAssigned");
    KubernetesClient c = cluster.client();
    assertThat(
            c.genericKubernetesResources("metallb.io/v1beta1", "IPAddressPool")
                .inNamespace("metallb-system")
                .withName("mesh-pool")
                .get()
                .<List<String>>get("spec", "addresses"))
        .containsExactly("192.168.51.10-192.168.51.19");
    assertThat(meshEndpoint(cluster).getSpec().getType()).isEqualTo("LoadBalancer");
    assertThat(kube.loadBalancerOwner("192.168.51.10")).contains(cluster);
    Matcher token = TOKEN.matcher(cluster.kubeconfig());
    assertThat(token.find()).isTrue();
    assertThat(probe.records())
        .allSatisfy(
            r ->
                assertThat(new String(r.value(), StandardCharsets.UTF_8))
                    .doesNotContain(token.group(1)));
  }

  @Test
  void aClusterWaitingForItsIpDoesNotHoldBackTheOtherClusterOfItsMesh() throws Exception {
    String slowRef = "meshes/it-two/clusters/slow/kubeconfig";
    String fastRef = "meshes/it-two/clusters/fast/kubeconfig";
    SandboxCluster slowCluster = clusterWithCilium("slow", "127.30.2.1", slowRef);
    clusterWithCilium("fast", "127.30.3.1", fastRef);
    ClusterSpec s = Samples.cluster("slow", 2, 1);
    ClusterSpec slow =
        new ClusterSpec(
            s.name(),
            s.id(),
            s.nodeCount(),
            s.podCidr(),
            s.serviceCidr(),
            "192.168.60.10-192.168.60.10",
            s.machine());
    ClusterSpec fast = Samples.cluster("fast", 3, 1);
    // Another LoadBalancer Service already holds the only address of slow's pool: MetalLB has
    // nothing to give the mesh endpoint, which stays pending.
    holdAddress(slowCluster.client(), "192.168.60.10");
    EventEnvelope slowIn = ciliumReady("it-two", slow, slowRef);
    EventEnvelope fastIn = ciliumReady("it-two", fast, fastRef);

    send(slowIn);
    send(fastIn);
    EventEnvelope fastOut =
        probe.await(
            Duration.ofSeconds(30),
            e -> fastIn.eventId().equals(e.causationId()) && e.payload() instanceof LbIpAssigned);

    assertThat(((LbIpAssigned) fastOut.payload()).meshEndpointIp()).isEqualTo("192.168.53.10");
    assertThat(causedBy(slowIn))
        .as("slow has started and is still waiting when fast is done")
        .extracting(e -> e.payload().getClass().getSimpleName())
        .contains("StepStarted")
        .doesNotContain("LbIpAssigned", "ClusterFailed");
    probe.await(
        Duration.ofSeconds(30),
        e ->
            slowIn.eventId().equals(e.causationId())
                && e.payload() instanceof ProgressReported p
                && p.message().startsWith("waiting for MetalLB to assign an IP"));
    assertThat(meshEndpoint(slowCluster).getSpec().getType()).isEqualTo("LoadBalancer");
    assertThat(ingressIps(meshEndpoint(slowCluster))).isEmpty();

    EventEnvelope slowOut =
        probe.await(
            Duration.ofSeconds(45),
            e -> slowIn.eventId().equals(e.causationId()) && e.payload() instanceof ClusterFailed);
    ClusterFailed failed = (ClusterFailed) slowOut.payload();
    assertThat(failed.stage()).isEqualTo(Stage.LOAD_BALANCER);
    assertThat(failed.code()).isEqualTo("LB_IP_TIMEOUT");
    assertThat(failed.retryable()).isTrue();
    assertThat(failed.reason())
        .contains(
            "kube-system/clustermesh-apiserver",
            "mesh.metallb.ip-timeout",
            "192.168.60.10-192.168.60.10",
            "free?");
    assertThat(slowOut.cluster()).isEqualTo("slow");
  }

  private static List<String> ingressIps(Service s) {
    if (s.getStatus() == null
        || s.getStatus().getLoadBalancer() == null
        || s.getStatus().getLoadBalancer().getIngress() == null) {
      return List.of();
    }
    return s.getStatus().getLoadBalancer().getIngress().stream()
        .map(LoadBalancerIngress::getIp)
        .toList();
  }

  /** A LoadBalancer Service to which MetalLB gave {@code ip} earlier. */
  private static void holdAddress(KubernetesClient c, String ip) {
    c.services()
        .inNamespace("default")
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("holds-" + ip.replace('.', '-'))
                .endMetadata()
                .withNewSpec()
                .withType("LoadBalancer")
                .addNewPort()
                .withPort(80)
                .endPort()
                .endSpec()
                .build())
        .create();
    c.services()
        .inNamespace("default")
        .withName("holds-" + ip.replace('.', '-'))
        .editStatus(
            svc -> {
              svc.setStatus(
                  new ServiceStatusBuilder()
                      .withNewLoadBalancer()
                      .withIngress(new LoadBalancerIngressBuilder().withIp(ip).build())
                      .endLoadBalancer()
                      .build());
              return svc;
            });
  }

  @Test
  void aPoolRefusedBecauseTheWebhookDoesNotAnswerYetIsWrittenAgainNotFailed() throws Exception {
    String ref = "meshes/it-lag/clusters/lagging/kubeconfig";
    SandboxCluster cluster = clusterWithCilium("lagging", "127.30.4.1", ref);
    ClusterSpec s = Samples.cluster("lagging", 4, 1);
    EventEnvelope in = ciliumReady("it-lag", s, ref);

    send(in);
    EventEnvelope out =
        probe.await(
            Duration.ofSeconds(60),
            e ->
                in.eventId().equals(e.causationId())
                    && (e.payload() instanceof LbIpAssigned
                        || e.payload() instanceof ClusterFailed));

    assertThat(out.payload()).isInstanceOf(LbIpAssigned.class);
    assertThat(causedBy(in))
        .filteredOn(e -> e.payload() instanceof ProgressReported p && p.waitingFor() == null)
        .extracting(e -> ((ProgressReported) e.payload()).message())
        .as("the refusal is said once, in the API server's words, and the step goes on")
        .filteredOn(m -> m.contains("webhook"))
        .singleElement()
        .asString()
        .startsWith("MetalLB's webhook does not answer yet, writing the pool again shortly:")
        .contains(
            "Internal error occurred: failed calling webhook"
                + " \"ipaddresspoolvalidationwebhook.metallb.io\": failed to call webhook: Post"
                + " \"https://metallb-webhook-service.metallb-system.svc:443"
                + "/validate-metallb-io-v1beta1-ipaddresspool?timeout=10s\": dial tcp",
            ":443: connect: connection refused");
    assertThat(
            cluster
                .client()
                .genericKubernetesResources("metallb.io/v1beta1", "IPAddressPool")
                .inNamespace("metallb-system")
                .withName("mesh-pool")
                .get())
        .isNotNull();
  }

  private EventEnvelope awaitOutcome(EventEnvelope in) {
    return probe.await(
        Duration.ofSeconds(60),
        e ->
            in.eventId().equals(e.causationId())
                && (e.payload() instanceof LbIpAssigned || e.payload() instanceof ClusterFailed));
  }

  private static List<String> progressOf(EventEnvelope in) {
    return causedBy(in).stream()
        .filter(e -> e.payload() instanceof ProgressReported)
        .map(e -> ((ProgressReported) e.payload()).message())
        .toList();
  }

  @Test
  void failsTerminallyNamingCiliumsServiceTheRuleAndWhatToCheckWhenCiliumDidNotBringIt()
      throws Exception {
    String ref = "meshes/it-nosvc/clusters/bare/kubeconfig";
    SandboxCluster cluster = clusterUp("bare", "127.30.5.1", ref);
    EventEnvelope in = ciliumReady("it-nosvc", Samples.cluster("bare", 5, 1), ref);

    send(in);
    EventEnvelope out = awaitOutcome(in);

    assertThat(out.payload())
        .isInstanceOfSatisfying(
            ClusterFailed.class,
            f -> {
              assertThat(f.stage()).isEqualTo(Stage.LOAD_BALANCER);
              assertThat(f.code()).isEqualTo("MESH_ENDPOINT_MISSING");
              assertThat(f.retryable()).isFalse();
              assertThat(f.reason())
                  .isEqualTo(
                      "Service kube-system/clustermesh-apiserver does not exist (still after "
                          + ENDPOINT_TIMEOUT
                          + ", mesh.metallb.endpoint-timeout). It is Cilium's mesh endpoint:"
                          + " cni-service installs it from the Cilium chart"
                          + " (clustermesh.useAPIServer=true,"
                          + " clustermesh.apiserver.service.type=LoadBalancer) and lb-service"
                          + " never creates or changes it; it must exist and be of type"
                          + " LoadBalancer. To fix: check that Cilium in this cluster was installed"
                          + " by cni-service (its CiliumReady names this cluster) or from the chart"
                          + " with these values, and that nothing deleted the Service (kubectl -n"
                          + " kube-system get service clustermesh-apiserver).");
            });
    assertThat(progressOf(in))
        .contains(
            "waiting for kube-system/clustermesh-apiserver of type LoadBalancer from Cilium:"
                + " Service kube-system/clustermesh-apiserver does not exist");
    assertThat(meshEndpoint(cluster)).as("lb-service created no Service of Cilium's").isNull();
  }

  @Test
  void failsTerminallyNamingSpecTypeWhenCiliumsServiceIsNotALoadBalancer() throws Exception {
    String ref = "meshes/it-nodeport/clusters/np/kubeconfig";
    SandboxCluster cluster = clusterUp("np", "127.30.6.1", ref);
    SandboxClusters.ciliumAppliesMeshEndpoint(cluster.client(), "NodePort");
    EventEnvelope in = ciliumReady("it-nodeport", Samples.cluster("np", 6, 1), ref);

    send(in);
    EventEnvelope out = awaitOutcome(in);

    assertThat(out.payload())
        .isInstanceOfSatisfying(
            ClusterFailed.class,
            f -> {
              assertThat(f.code()).isEqualTo("MESH_ENDPOINT_NOT_LOADBALANCER");
              assertThat(f.retryable()).isFalse();
              assertThat(f.reason())
                  .startsWith(
                      "Service kube-system/clustermesh-apiserver has spec.type NodePort,"
                          + " expected spec.type LoadBalancer (MetalLB gives IPs only to"
                          + " LoadBalancer Services) (still after "
                          + ENDPOINT_TIMEOUT
                          + ", mesh.metallb.endpoint-timeout).")
                  .contains(
                      "cni-service installs it from the Cilium chart",
                      "To fix: check the value of clustermesh.apiserver.service.type Cilium was"
                          + " installed with (the chart's default is NodePort)",
                      "kubectl -n kube-system get service clustermesh-apiserver -o"
                          + " jsonpath='{.spec.type}'");
            });
    assertThat(meshEndpoint(cluster).getSpec().getType())
        .as("lb-service does not retype Cilium's Service")
        .isEqualTo("NodePort");
  }

  @Test
  void goesOnWhenCiliumsServiceArrivesWhileItWaits() throws Exception {
    String ref = "meshes/it-late/clusters/late/kubeconfig";
    SandboxCluster cluster = clusterUp("late", "127.30.7.1", ref);
    EventEnvelope in = ciliumReady("it-late", Samples.cluster("late", 7, 1), ref);

    send(in);
    probe.await(
        Duration.ofSeconds(60),
        e ->
            in.eventId().equals(e.causationId())
                && e.payload() instanceof ProgressReported p
                && p.message().startsWith("waiting for kube-system/clustermesh-apiserver"));
    SandboxClusters.ciliumAppliesMeshEndpoint(cluster.client(), "LoadBalancer");
    EventEnvelope out = awaitOutcome(in);

    assertThat(out.payload())
        .isInstanceOfSatisfying(
            LbIpAssigned.class, a -> assertThat(a.meshEndpointIp()).isEqualTo("192.168.57.10"));
  }

  @Test
  void reportsAClusterWithoutKubeconfigAsFailed() throws Exception {
    EventEnvelope in =
        ciliumReady(
            "it-missing", Samples.cluster("west", 2, 1), "meshes/x/clusters/west/kubeconfig");

    send(in);

    EventEnvelope out =
        probe.await(
            Duration.ofSeconds(30),
            e -> in.eventId().equals(e.causationId()) && e.payload() instanceof ClusterFailed);
    ClusterFailed failed = (ClusterFailed) out.payload();
    assertThat(failed.stage()).isEqualTo(Stage.LOAD_BALANCER);
    assertThat(failed.code()).isEqualTo("KUBECONFIG_MISSING");
    assertThat(failed.retryable()).isFalse();
    assertThat(out.cluster()).isEqualTo("west");
  }
}
