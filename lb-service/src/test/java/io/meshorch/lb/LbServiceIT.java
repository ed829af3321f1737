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
 * LoadBalancer IPs from the pools lb-service writes.
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
    })
@EmbeddedKafka(brokerProperties = "auto.create.topics.enable=false")
class LbServiceIT {
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
    SandboxCluster cluster = clusterUp("east", "127.30.1.1", ref);
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
    SandboxCluster slowCluster = clusterUp("slow", "127.30.2.1", slowRef);
    clusterUp("fast", "127.30.3.1", fastRef);
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
    SandboxCluster cluster = clusterUp("lagging", "127.30.4.1", ref);
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
        .filteredOn(e -> e.payload() instanceof ProgressReported)
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
