package io.meshorch.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.contracts.ClusterDeleted;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.MachineSpec;
import io.meshorch.contracts.MeshDeleteRequested;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.contracts.StepStarted;
import io.meshorch.contracts.Topics;
import io.meshorch.contracts.Violation;
import io.meshorch.contracts.VmsReady;
import io.meshorch.contracts.validation.MeshRequestValidator;
import io.meshorch.infra.domain.AddressPair;
import io.meshorch.infra.domain.StackState;
import io.meshorch.infra.port.NetworkPort;
import io.meshorch.infra.port.OrchestrationPort;
import io.meshorch.kit.messaging.KafkaDeadLetters;
import io.meshorch.sandbox.openstack.SandboxCloud;
import io.meshorch.sandbox.openstack.SandboxServer;
import io.meshorch.testkit.EventProbe;
import io.meshorch.testkit.PrometheusText;
import io.meshorch.testkit.Samples;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(
    classes = InfraServiceApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.config.name=" + InfraServiceApplication.CONFIG_NAME,
      "spring.kafka.bootstrap-servers=${spring.embedded.kafka.brokers}",
      // Tomcat's files under target/, not a folder per run left in the machine's /tmp
      "server.tomcat.basedir=target/tomcat",
      "mesh.service.declared-topics=" + Topics.REQUESTS + "," + Topics.LB,
      "mesh.service.record-retry.initial-delay=100ms",
      "mesh.service.step-retry.initial-delay=100ms",
      "mesh.openstack.cloud=sandbox",
      "mesh.vms.stack-timeout=30s",
      "mesh.vms.console-timeout=20s",
    })
@EmbeddedKafka(brokerProperties = "auto.create.topics.enable=false")
class InfraServiceIT {
  private static final Duration WAIT = Duration.ofSeconds(40);
  private static final Duration STACK_DELAY = Duration.ofSeconds(1);
  private static final EventCodec CODEC = new EventCodec();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final SandboxCloudFixture SANDBOX =
      SandboxCloudFixture.start("infra-it", STACK_DELAY, b -> b);
  private static final SandboxCloud CLOUD = SANDBOX.cloud();
  private static final Path DIR = SANDBOX.dir();

  private static EventProbe probe;

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired OrchestrationPort heat;
  @Autowired NetworkPort neutron;

  @DynamicPropertySource
  static void sandbox(DynamicPropertyRegistry registry) {
    registry.add("mesh.openstack.clouds-file", () -> DIR.resolve("clouds.yaml").toString());
    registry.add("mesh.service.secrets-dir", () -> DIR.resolve("secrets").toString());
  }

  @BeforeAll
  static void startProbe(@Autowired EmbeddedKafkaBroker broker) {
    probe =
        new EventProbe(
            broker.getBrokersAsString(), List.of(Topics.INFRA, Topics.deadLetter(Topics.REQUESTS)));
  }

  @AfterAll
  static void stop() {
    probe.close();
    CLOUD.close();
  }

  private RecordMetadata send(String topic, String key, byte[] value) throws Exception {
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of("bootstrap.servers", broker.getBrokersAsString()),
            new StringSerializer(),
            new ByteArraySerializer())) {
      return producer.send(new ProducerRecord<>(topic, key, value)).get();
    }
  }

  private RecordMetadata send(String topic, EventEnvelope event) throws Exception {
    return send(topic, event.meshId(), CODEC.encode(event));
  }

  private static EventEnvelope request(String meshId, ClusterSpec... clusters) {
    return EventEnvelope.create(
        meshId, null, null, "meshctl", new MeshRequested(List.of(clusters)));
  }

  private static VmsReady awaitVmsReady(EventEnvelope request, String cluster) {
    return (VmsReady)
        probe
            .await(
                WAIT,
                e ->
                    request.eventId().equals(e.causationId())
                        && cluster.equals(e.cluster())
                        && e.payload() instanceof VmsReady)
            .payload();
  }

  /** The payload types answering {@code request} for {@code cluster}, in the order published. */
  private static List<String> answersFor(EventEnvelope request, String cluster) {
    return probe.events().stream()
        .filter(e -> request.eventId().equals(e.causationId()) && cluster.equals(e.cluster()))
        .map(e -> e.payload().getClass().getSimpleName())
        .toList();
  }

  private static EventEnvelope awaitOutcome(EventEnvelope trigger) {
    return probe.await(
        WAIT,
        e -> trigger.eventId().equals(e.causationId()) && !(e.payload() instanceof StepStarted));
  }

  private static long stackCreations() {
    return CLOUD.requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().endsWith("/stacks") && r.status() == 201)
        .count();
  }

  private static long portWrites() {
    return CLOUD.requests().stream()
        .filter(r -> r.method().equals("PUT") && r.path().contains("/ports/"))
        .count();
  }

  @Test
  void buildsEveryClusterOfAValidRequestAndReportsItsNodes() throws Exception {
    EventEnvelope request =
        request("it1", Samples.cluster("east", 1, 2), Samples.cluster("west", 2, 1));

    send(Topics.REQUESTS, request);

    VmsReady east = awaitVmsReady(request, "east");
    VmsReady west = awaitVmsReady(request, "west");
    assertThat(CLOUD.stackNames()).contains("mesh-it1-east", "mesh-it1-west");
    assertThat(east.cluster()).isEqualTo(Samples.cluster("east", 1, 2));
    assertThat(east.nodes())
        .extracting(NodeInfo::name)
        .containsExactly("mesh-it1-east-node-0", "mesh-it1-east-node-1");
    assertThat(west.nodes()).hasSize(1);
    for (NodeInfo node : east.nodes()) {
      SandboxServer server =
          CLOUD.servers().stream()
              .filter(s -> s.id().equals(node.serverId()))
              .findFirst()
              .orElseThrow();
      assertThat(node.address()).isEqualTo(server.fixedIp());
      assertThat(CLOUD.findPort(node.portId()).orElseThrow().fixedIp()).isEqualTo(node.address());
      assertThat(node.sshHostKeyFingerprints())
          .containsExactly(server.sshHostKeyFingerprint().orElseThrow());
    }
    for (String cluster : List.of("east", "west")) {
      List<String> answers = answersFor(request, cluster);
      assertThat(answers).startsWith("StepStarted").endsWith("VmsReady");
      assertThat(answers).containsOnlyOnce("StepStarted", "VmsReady");
    }
    StepStarted started =
        (StepStarted)
            probe.eventsOf(StepStarted.class).stream()
                .filter(e -> request.eventId().equals(e.causationId()))
                .findFirst()
                .orElseThrow()
                .payload();
    assertThat(started.stage()).isEqualTo("vms");
    assertThat(started.triggerTopic()).isEqualTo(Topics.REQUESTS);
  }

  @Test
  void exposesStepCountsAndEventCountsOnPrometheusAndIsReadyAfterAStepRun(
      @Value("${local.server.port}") int port) throws Exception {
    EventEnvelope request = request("itmetrics", Samples.cluster("east", 21, 1));
    send(Topics.REQUESTS, request);
    awaitVmsReady(request, "east");

    // what Prometheus scrapes; the step's duration is recorded as it ends, just after its event
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                PrometheusText.sum(
                        get(port, "/actuator/prometheus").body(),
                        "mesh_step_duration_seconds_count",
                        "outcome=\"completed\"")
                    >= 1);
    String scrape = get(port, "/actuator/prometheus").body();
    assertThat(
            PrometheusText.sum(
                scrape,
                "mesh_step_duration_seconds_bucket",
                "outcome=\"completed\"",
                "le=\"+Inf\""))
        .isGreaterThanOrEqualTo(1);
    assertThat(
            PrometheusText.sum(
                scrape, "mesh_events_consumed_total", "type=\"mesh.MeshRequested.v1\""))
        .isGreaterThanOrEqualTo(1);
    assertThat(
            PrometheusText.sum(scrape, "mesh_events_produced_total", "type=\"mesh.VmsReady.v1\""))
        .isGreaterThanOrEqualTo(1);
    assertThat(
            PrometheusText.sum(
                scrape, "mesh_events_produced_total", "type=\"mesh.StepStarted.v1\""))
        .isGreaterThanOrEqualTo(1);
    assertThat(scrape)
        .contains("mesh_steps_in_flight{service=\"infra-service\"}")
        .contains("kafka_consumer_fetch_manager_records_lag_max");

    HttpResponse<String> ready = get(port, "/actuator/health/readiness");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"kafka\"").contains("\"status\":\"UP\"");
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void buildsTheClustersOfOneRequestSideBySide() throws Exception {
    List<String> clusters = List.of("alpha", "beta", "gamma");
    EventEnvelope request =
        request(
            "itpar",
            Samples.cluster("alpha", 11, 1),
            Samples.cluster("beta", 12, 1),
            Samples.cluster("gamma", 13, 1));

    send(Topics.REQUESTS, request);

    // one look at Heat sees the stacks of all three clusters in progress at the same time
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                clusters.stream()
                    .map(c -> heat.findStack("mesh-itpar-" + c))
                    .allMatch(s -> s.map(StackState::inProgress).orElse(false)));
    for (String cluster : clusters) {
      awaitVmsReady(request, cluster);
      assertThat(answersFor(request, cluster)).startsWith("StepStarted").endsWith("VmsReady");
    }
  }

  @Test
  void rejectsAnInvalidRequestNamingEveryViolationAndCreatesNothing() throws Exception {
    ClusterSpec bad =
        new ClusterSpec(
            "Bad_Name",
            300,
            0,
            "10.1.0.0/33",
            null,
            "10.1.0.0/16",
            new MachineSpec(null, "f", "n", "k", "u"));
    EventEnvelope request = request("itbad", bad, Samples.cluster("ok", 1, 1));
    long before = stackCreations();

    send(Topics.REQUESTS, request);

    EventEnvelope rejected = probe.await(WAIT, e -> request.eventId().equals(e.causationId()));
    assertThat(rejected.cluster()).isNull();
    assertThat(rejected.payload())
        .isEqualTo(
            new MeshRejected(
                new MeshRequestValidator().validate("itbad", (MeshRequested) request.payload())));
    assertThat(((MeshRejected) rejected.payload()).violations()).hasSizeGreaterThan(5);
    assertThat(CLOUD.stackNames()).noneMatch(name -> name.startsWith("mesh-itbad-"));
    assertThat(stackCreations()).isEqualTo(before);
  }

  @Test
  void letsTheMeshEndpointThroughEveryNodePortOnceEvenWhenAskedTwice() throws Exception {
    ClusterSpec spec = Samples.cluster("lb", 3, 2);
    EventEnvelope request = request("it2", spec);
    send(Topics.REQUESTS, request);
    VmsReady vms = awaitVmsReady(request, "lb");
    EventEnvelope assigned =
        EventEnvelope.create(
            "it2",
            "lb",
            UUID.randomUUID(),
            "lb-service",
            new LbIpAssigned(
                spec, vms.nodes(), "meshes/it2/clusters/lb/kubeconfig", "192.168.53.10", 2379));
    long writesBefore = portWrites();

    send(Topics.LB, assigned);
    EventEnvelope out = awaitOutcome(assigned);
    send(Topics.LB, assigned);
    // lb-service asking again with a new event (e.g. after its own restart): nothing to write
    EventEnvelope again =
        EventEnvelope.create("it2", "lb", UUID.randomUUID(), "lb-service", assigned.payload());
    send(Topics.LB, again);
    EventEnvelope againOut = awaitOutcome(again);

    List<String> portIds = vms.nodes().stream().map(NodeInfo::portId).toList();
    assertThat(out.cluster()).isEqualTo("lb");
    assertThat(out.payload())
        .isEqualTo(
            new PortsUpdated(
                spec,
                vms.nodes(),
                "meshes/it2/clusters/lb/kubeconfig",
                "192.168.53.10",
                2379,
                portIds));
    for (String portId : portIds) {
      assertThat(CLOUD.findPort(portId).orElseThrow().allowedAddressPairs())
          .extracting(p -> p.get("ip_address"))
          .containsExactly("192.168.53.10");
    }
    assertThat(againOut.payload()).isEqualTo(out.payload());
    assertThat(portWrites() - writesBefore).isEqualTo(portIds.size());
    assertThat(answersFor(assigned, "lb")).containsExactly("StepStarted", "PortsUpdated");
  }

  @Test
  void answersARequestDeliveredTwiceWithOneStackAndOneVmsReadyPerCluster() throws Exception {
    EventEnvelope request =
        request("it3", Samples.cluster("north", 4, 1), Samples.cluster("south", 5, 1));
    long before = stackCreations();

    send(Topics.REQUESTS, request);
    awaitVmsReady(request, "north");
    awaitVmsReady(request, "south");
    send(Topics.REQUESTS, request);
    EventEnvelope marker = request("it3", Samples.cluster("marker", 6, 1));
    send(Topics.REQUESTS, marker);
    awaitVmsReady(marker, "marker");

    assertThat(probe.eventsOf(VmsReady.class))
        .filteredOn(e -> request.eventId().equals(e.causationId()))
        .extracting(EventEnvelope::cluster)
        .containsExactlyInAnyOrder("north", "south");
    assertThat(answersFor(request, "north")).containsOnlyOnce("StepStarted", "VmsReady");
    assertThat(stackCreations() - before).isEqualTo(3);
    assertThat(CLOUD.stackNames()).contains("mesh-it3-north", "mesh-it3-south");
  }

  @Test
  void noPoisonRequestStopsTheServiceAndEachGetsAnAnswerThatFits() throws Exception {
    long stacksBefore = stackCreations();
    // (a) not JSON
    send(Topics.REQUESTS, "poison-a", "{not a request".getBytes(StandardCharsets.UTF_8));
    // (b) an envelope of a type nobody knows
    RecordMetadata unknown =
        send(
            Topics.REQUESTS,
            "poison-b",
            CODEC
                .encodeToString(request("poison-b", Samples.cluster("east", 1, 1)))
                .replace("mesh.MeshRequested.v1", "mesh.SomethingNew.v9")
                .getBytes(StandardCharsets.UTF_8));
    // (c) a MeshRequested without payload
    send(
        Topics.REQUESTS,
        "poison-c",
        CODEC
            .encodeToString(request("poison-c", Samples.cluster("east", 1, 1)))
            .replaceFirst("\"payload\":\\{.*\\}}$", "\"payload\":null}")
            .getBytes(StandardCharsets.UTF_8));
    // (d) a mesh of 300 clusters, all alike: every pair overlaps, every ID past 255 is invalid
    List<ClusterSpec> many = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      many.add(
          new ClusterSpec(
              "c" + i,
              i + 1,
              1,
              "10.1.0.0/16",
              "10.2.0.0/16",
              "192.168.60.10-192.168.60.19",
              Samples.machine()));
    }
    EventEnvelope huge =
        EventEnvelope.create("poison-d", null, null, "meshctl", new MeshRequested(many));
    send(Topics.REQUESTS, huge);
    // (e) a good request
    EventEnvelope good = request("poison-e", Samples.cluster("east", 1, 1));
    send(Topics.REQUESTS, good);

    assertThat(awaitVmsReady(good, "east").nodes()).hasSize(1);
    for (String mesh : List.of("poison-a", "poison-c")) {
      EventEnvelope answer = probe.await(WAIT, e -> mesh.equals(e.meshId()));
      assertThat(answer.payload()).isInstanceOf(MeshRejected.class);
      assertThat(((MeshRejected) answer.payload()).violations())
          .extracting(Violation::field)
          .containsExactly("record");
    }
    // (the request itself may be on the dead-letter topic, which the probe also reads)
    EventEnvelope hugeAnswer =
        probe.await(
            WAIT, e -> "poison-d".equals(e.meshId()) && !(e.payload() instanceof MeshRequested));
    assertThat(hugeAnswer.payload()).isInstanceOf(MeshRejected.class);
    assertThat(hugeAnswer.causationId()).isEqualTo(huge.eventId());
    ConsumerRecord<String, byte[]> hugeRecord =
        probe.records().stream()
            .filter(r -> r.topic().equals(Topics.INFRA) && "poison-d".equals(r.key()))
            .findFirst()
            .orElseThrow();
    assertThat(hugeRecord.value().length).isLessThan(100_000);
    assertThat(CLOUD.stackNames()).noneMatch(name -> name.startsWith("mesh-poison-d-"));
    assertThat(stackCreations() - stacksBefore).isEqualTo(1);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(deadLetters())
                    .extracting(ConsumerRecord::key)
                    .contains("poison-a", "poison-c"));
    assertThat(deadLetters())
        .filteredOn(r -> List.of("poison-a", "poison-c").contains(r.key()))
        .allSatisfy(
            r -> assertThat(r.headers().lastHeader(KafkaDeadLetters.REASON_HEADER)).isNotNull());
    // (b) was read and passed over: its offset is committed, yet nothing answers it
    await().atMost(WAIT).until(() -> committed(unknown) > unknown.offset());
    assertThat(deadLetters()).extracting(ConsumerRecord::key).doesNotContain("poison-b");
    assertThat(probe.events()).noneMatch(e -> "poison-b".equals(e.meshId()));
    assertThat(deadLetters()).extracting(ConsumerRecord::key).doesNotContain("poison-e");
  }

  // --- deleting a mesh (MeshDeleteRequested)

  private static EventEnvelope deleteRequest(String meshId) {
    return EventEnvelope.create(meshId, null, null, "meshctl", new MeshDeleteRequested());
  }

  /** Builds one cluster and lets {@code ip} through its ports, as a run up to PortsUpdated does. */
  private VmsReady builtWithPairs(String meshId, ClusterSpec spec, String ip) throws Exception {
    EventEnvelope request = request(meshId, spec);
    send(Topics.REQUESTS, request);
    VmsReady vms = awaitVmsReady(request, spec.name());
    EventEnvelope assigned =
        EventEnvelope.create(
            meshId,
            spec.name(),
            UUID.randomUUID(),
            "lb-service",
            new LbIpAssigned(spec, vms.nodes(), "ref", ip, 2379));
    send(Topics.LB, assigned);
    assertThat(awaitOutcome(assigned).payload()).isInstanceOf(PortsUpdated.class);
    return vms;
  }

  /** The outcome (or failure) answering {@code trigger}: no step start, no progress. */
  private static EventEnvelope awaitFinal(EventEnvelope trigger) {
    return probe.await(
        WAIT,
        e ->
            trigger.eventId().equals(e.causationId())
                && !(e.payload() instanceof StepStarted)
                && !(e.payload() instanceof io.meshorch.contracts.ProgressReported));
  }

  private static long stackDeletes(String stackName) {
    return CLOUD.requests().stream()
        .filter(
            r ->
                r.method().equals("DELETE")
                    && r.path().contains("/stacks/" + stackName + "/")
                    && r.status() == 204)
        .count();
  }

  /**
   * A stack over the project's instance quota fails its cluster with {@code QUOTA_EXCEEDED} and
   * Nova's words, not retried; once the operator raises the quota, {@code up} again (a new request)
   * deletes the failed stack and builds the cluster.
   */
  @Test
  void aClusterOverTheQuotaFailsNamingItAndUpAgainReplacesTheFailedStack() throws Exception {
    ClusterSpec spec = Samples.cluster("quota", 5, 2);
    EventEnvelope first = request("quota1", spec);
    CLOUD.instanceQuota(CLOUD.servers().size() + 1);
    EventEnvelope answer;
    try {
      send(Topics.REQUESTS, first);
      answer = awaitFinal(first);
    } finally {
      CLOUD.instanceQuota(-1);
    }
    assertThat(answer.payload())
        .isInstanceOfSatisfying(
            ClusterFailed.class,
            f -> {
              assertThat(f.code()).isEqualTo("QUOTA_EXCEEDED");
              assertThat(f.retryable()).isFalse();
              assertThat(f.reason())
                  .contains("mesh-quota1-quota is CREATE_FAILED")
                  .contains("Quota exceeded for instances: Requested 1, but already used");
            });

    EventEnvelope again = request("quota1", spec);
    send(Topics.REQUESTS, again);
    VmsReady ready = awaitVmsReady(again, "quota");

    assertThat(ready.nodes()).hasSize(2);
    assertThat(stackDeletes("mesh-quota1-quota")).as("the failed stack deleted").isEqualTo(1);
    assertThat(CLOUD.stackNames()).contains("mesh-quota1-quota");
  }

  @Test
  void deletesTheStackAfterRemovingItsPairAndASecondDeleteDoesNothing() throws Exception {
    ClusterSpec spec = Samples.cluster("gone", 7, 2);
    VmsReady vms = builtWithPairs("del1", spec, "192.168.57.10");
    EventEnvelope delete = deleteRequest("del1");

    send(Topics.REQUESTS, delete);
    EventEnvelope out = awaitFinal(delete);

    assertThat(out.cluster()).isEqualTo("gone");
    ClusterDeleted deleted = (ClusterDeleted) out.payload();
    assertThat(deleted.part()).isEqualTo("vms");
    assertThat(deleted.deleted())
        .extracting(ClusterDeleted.Resource::kind, ClusterDeleted.Resource::name)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "address-pair", "192.168.57.10 on port " + vms.nodes().get(0).portId()),
            org.assertj.core.groups.Tuple.tuple(
                "address-pair", "192.168.57.10 on port " + vms.nodes().get(1).portId()),
            org.assertj.core.groups.Tuple.tuple(
                "heat-stack", "mesh-del1-gone (" + vms.stackId() + ")"));
    assertThat(CLOUD.stackNames()).doesNotContain("mesh-del1-gone");
    assertThat(heat.findStack("mesh-del1-gone")).isEmpty();
    assertThat(vms.nodes()).allSatisfy(n -> assertThat(CLOUD.findPort(n.portId())).isEmpty());
    List<String> answered = answersFor(delete, "gone");
    assertThat(answered)
        .filteredOn(type -> !type.equals("ProgressReported"))
        .containsExactly("StepStarted", "ClusterDeleted");

    // the same record again, and a second down: nothing is planned, nothing deleted twice
    send(Topics.REQUESTS, delete);
    EventEnvelope again = deleteRequest("del1");
    send(Topics.REQUESTS, again);
    EventEnvelope marker = request("del1", Samples.cluster("marker", 8, 1));
    send(Topics.REQUESTS, marker);
    awaitVmsReady(marker, "marker");
    assertThat(answersFor(delete, "gone")).as("answers after the repeats").isEqualTo(answered);
    assertThat(probe.events()).noneMatch(e -> again.eventId().equals(e.causationId()));
    assertThat(stackDeletes("mesh-del1-gone")).isEqualTo(1);
  }

  @Test
  void aDeleteFailedIsAskedAgainAndEndsInClusterDeleted() throws Exception {
    ClusterSpec spec = Samples.cluster("flaky", 9, 1);
    builtWithPairs("del2", spec, "192.168.58.10");
    CLOUD.failStackDeletes(
        "mesh-del2-flaky", "Resource DELETE failed: Conflict: resources.port_0: port in use", 2);
    EventEnvelope delete = deleteRequest("del2");

    send(Topics.REQUESTS, delete);
    EventEnvelope out = awaitFinal(delete);

    assertThat(out.payload()).isInstanceOf(ClusterDeleted.class);
    assertThat(stackDeletes("mesh-del2-flaky")).isEqualTo(3);
    assertThat(CLOUD.stackNames()).doesNotContain("mesh-del2-flaky");
  }

  @Test
  void aStackThatKeepsFailingToDeleteIsReportedWithHeatsReasonAndKeepsOnlyOthersPairs()
      throws Exception {
    ClusterSpec spec = Samples.cluster("stuck", 10, 1);
    VmsReady vms = builtWithPairs("del3", spec, "192.168.59.10");
    String portId = vms.nodes().get(0).portId();
    neutron.replaceAllowedAddressPairs(
        neutron.port(portId),
        List.of(AddressPair.of("192.168.59.10"), AddressPair.of("10.99.0.0/24")));
    CLOUD.failStackDeletes(
        "mesh-del3-stuck", "Resource DELETE failed: Conflict: resources.node_0: in use", 100);
    EventEnvelope delete = deleteRequest("del3");

    send(Topics.REQUESTS, delete);
    EventEnvelope out = awaitFinal(delete);

    assertThat(out.payload())
        .isEqualTo(
            new ClusterFailed(
                "delete",
                "HEAT_STACK_DELETE_FAILED",
                "Heat could not delete stack mesh-del3-stuck: Resource DELETE failed: Conflict:"
                    + " resources.node_0: in use",
                true));
    assertThat(CLOUD.findPort(portId).orElseThrow().allowedAddressPairs())
        .extracting(p -> p.get("ip_address"))
        .containsExactly("10.99.0.0/24");
    assertThat(CLOUD.stackNames()).contains("mesh-del3-stuck");
  }

  @Test
  void aDeleteDuringTheBuildCancelsTheVmStepAndDeletesWhatItCreated() throws Exception {
    EventEnvelope request = request("del4", Samples.cluster("early", 11, 1));
    EventEnvelope delete = deleteRequest("del4");

    send(Topics.REQUESTS, request);
    send(Topics.REQUESTS, delete);
    EventEnvelope built = awaitFinal(request);
    EventEnvelope out = awaitFinal(delete);

    assertThat(built.payload())
        .isEqualTo(
            new ClusterFailed(
                "vms", "CANCELLED", "mesh del4 is being deleted (meshctl down)", false));
    assertThat(out.payload()).isInstanceOf(ClusterDeleted.class);
    assertThat(CLOUD.stackNames()).doesNotContain("mesh-del4-early");
    assertThat(probe.eventsOf(VmsReady.class)).noneMatch(e -> "del4".equals(e.meshId()));
  }

  private static List<ConsumerRecord<String, byte[]>> deadLetters() {
    return probe.records().stream()
        .filter(r -> r.topic().equals(Topics.deadLetter(Topics.REQUESTS)))
        .toList();
  }

  private long committed(RecordMetadata record) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.getBrokersAsString()))) {
      TopicPartition partition = new TopicPartition(record.topic(), record.partition());
      OffsetAndMetadata offset =
          admin
              .listConsumerGroupOffsets("infra-service")
              .partitionsToOffsetAndMetadata()
              .get()
              .get(partition);
      return Optional.ofNullable(offset).map(OffsetAndMetadata::offset).orElse(-1L);
    }
  }
}
