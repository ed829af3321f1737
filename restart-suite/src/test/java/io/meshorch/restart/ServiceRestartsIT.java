package io.meshorch.restart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterDeleted;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.MeshDeleteRequested;
import io.meshorch.contracts.MeshDeleted;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.StepStarted;
import io.meshorch.contracts.Topics;
import io.meshorch.contracts.VmsReady;
import io.meshorch.local.LocalKafkaBroker;
import io.meshorch.local.SandboxPlatform;
import io.meshorch.sandbox.core.ClusterRef;
import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.core.SandboxStep;
import io.meshorch.sandbox.core.SideEffect;
import io.meshorch.sandbox.core.StepRecord;
import io.meshorch.testkit.EventProbe;
import io.meshorch.testkit.PrometheusText;
import io.meshorch.testkit.Samples;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Restarts proven with separate processes (issue 5, points 6 and 8). One real KRaft broker and the
 * sandbox cloud run in this JVM ({@link LocalKafkaBroker}, {@link SandboxPlatform}, what {@code
 * meshctl sandbox} runs); the five services run as their own JVMs from their exec jars, connected
 * over TCP. A mesh of two clusters is driven through every service's longest step, and each service
 * is interrupted once in the middle of it (SIGKILL for one mesh, SIGTERM for another) and started
 * again. Every mesh must end ready, exactly once, with no failure; the sandbox's own counters must
 * show each cluster's stack, port updates, Kubernetes cluster, Cilium, MetalLB and mesh connection
 * made once. Then all services are started with fresh consumer groups, re-read every topic from
 * offset 0, and must change nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServiceRestartsIT {
  /**
   * Fast everywhere except each service's longest step, which lasts seconds so that the suite can
   * interrupt it in the middle (the window is this long, minus how late the suite sees it begin).
   */
  static final String LATENCIES =
      "fast,heat-stack=5s,rke-up=6s,cilium-rollout=4s,lb-ip=4s,mesh-connect=4s,"
          + "heat-stack-delete=6s";

  /**
   * Bounds that only catch a hang: with other builds on the same 2 cores, five JVMs starting at
   * once took up to 80 s, a restart up to 80 s.
   */
  static final Duration START_BOUND = Duration.ofMinutes(3);

  /** Bound of one run (a mesh through its five interruptions). */
  static final Duration RUN_BOUND = Duration.ofMinutes(9);

  /** Nodes per cluster: each node has one port, so a cluster gets this many pair updates. */
  static final int NODES = 2;

  /** What each service consumes (its README's canvas). */
  static final Map<String, List<String>> INPUTS =
      Map.of(
          "infra-service", List.of(Topics.REQUESTS, Topics.LB),
          "rke-service", List.of(Topics.REQUESTS, Topics.INFRA),
          "cni-service", List.of(Topics.REQUESTS, Topics.RKE),
          "lb-service", List.of(Topics.REQUESTS, Topics.CNI),
          "mesh-service",
              List.of(Topics.REQUESTS, Topics.INFRA, Topics.RKE, Topics.CNI, Topics.LB));

  /**
   * Kafka's default session timeout is 45 s: a SIGKILLed consumer keeps its partitions that long
   * before its restarted successor gets them. That only costs time (the suite would take minutes
   * longer), so the services get Kafka's shorter, also common, 10 s here.
   */
  static final Map<String, String> KAFKA_CONSUMER =
      Map.of(
          "spring.kafka.consumer.properties.session.timeout.ms", "10000",
          "spring.kafka.consumer.properties.heartbeat.interval.ms", "2000");

  private static final List<Class<? extends MeshEvent>> CLUSTER_OUTCOMES =
      List.of(
          VmsReady.class,
          ClusterUp.class,
          CiliumReady.class,
          LbIpAssigned.class,
          PortsUpdated.class);
  private static final List<String> CLUSTER_STAGES =
      List.of(Stage.VMS, Stage.KUBERNETES, Stage.CNI, Stage.LOAD_BALANCER, Stage.PORTS);

  static final String SIGKILL_MESH = "sigkill";
  static final String SIGTERM_MESH = "sigterm";

  enum Signal {
    SIGKILL,
    SIGTERM
  }

  /** One interruption, for the asserts after the mesh completed and for the report. */
  record Interruption(
      Signal signal,
      LongestStep step,
      String meshId,
      Instant inTheMiddle,
      Instant signalled,
      Instant restarted,
      Instant consumingAgain) {}

  private final Instant suiteStart = Instant.now();
  private final Map<String, ServiceJvm> services = new LinkedHashMap<>();
  private final Map<String, Integer> httpPorts = new LinkedHashMap<>();
  private final List<Interruption> interruptions = new CopyOnWriteArrayList<>();
  private final Map<String, List<ClusterSpec>> meshes =
      new TreeMap<>(
          Map.of(
              SIGKILL_MESH,
              List.of(Samples.cluster("east", 1, NODES), Samples.cluster("west", 2, NODES)),
              SIGTERM_MESH,
              List.of(Samples.cluster("east", 3, NODES), Samples.cluster("west", 4, NODES))));
  private final List<String> report = new CopyOnWriteArrayList<>();
  private final ExecutorService drivers = Executors.newFixedThreadPool(2);
  private CompletableFuture<Void> sigkillRun;
  private CompletableFuture<Void> sigtermRun;
  private final EventCodec codec = new EventCodec();
  private Path work;
  private LocalKafkaBroker broker;
  private SandboxPlatform sandbox;
  private BusAdmin bus;
  private EventProbe probe;
  private List<String> allTopics;

  @RegisterExtension
  final TestWatcher logsOnFailure =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          printLogs(context.getDisplayName());
        }
      };

  @BeforeAll
  void startBrokerSandboxAndServices() throws IOException {
    Path root =
        Path.of(System.getProperty("restart.suite.root", "..")).toAbsolutePath().normalize();
    String version = System.getProperty("restart.suite.version", "0.1.0-SNAPSHOT");
    work =
        Path.of(System.getProperty("restart.suite.work", "target/restart-suite")).toAbsolutePath();
    // A fresh broker log, sandbox and service logs each run (test-jvm.log is logback's).
    for (String dir : List.of("kafka", "sandbox", "logs")) {
      deleteRecursively(work.resolve(dir));
    }
    Files.createDirectories(work);
    try {
      broker = new LocalKafkaBroker(work.resolve("kafka")).start();
      sandbox = SandboxPlatform.start(work.resolve("sandbox"), SandboxLatencies.parse(LATENCIES));
      bus = new BusAdmin(broker.bootstrapServers());
      for (String name : SandboxPlatform.SERVICES) {
        Path jar = root.resolve(name).resolve("target").resolve(name + "-" + version + "-exec.jar");
        assertThat(jar)
            .as("exec jar of %s (build with ./mvnw -B verify -pl restart-suite -am)", name)
            .isRegularFile();
        Map<String, String> settings = new TreeMap<>(sandbox.settings(name));
        settings.putAll(KAFKA_CONSUMER);
        settings.put("spring.kafka.bootstrap-servers", broker.bootstrapServers());
        // A fixed port per service, kept across its restarts: the suite scrapes its metrics.
        int httpPort = freePort();
        httpPorts.put(name, httpPort);
        settings.put("server.port", String.valueOf(httpPort));
        settings.put("spring.main.banner-mode", "off");
        services.put(
            name,
            new ServiceJvm(name, jar, ServiceJvm.asArguments(settings), work.resolve("logs")));
      }
      // Should this JVM end without @AfterAll (killed by Failsafe's timeout), no service outlives
      // it.
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> services.values().forEach(ServiceJvm::destroy), "restart-suite-stop"));
      Instant start = Instant.now();
      services.values().forEach(s -> s.start(s.name()));
      services.values().forEach(s -> awaitConsuming(s, Set.of(), START_BOUND));
      note(
          "broker, sandbox (%s) and five service JVMs up: the five consuming %s after their start",
          LATENCIES, ServiceJvm.seconds(start, Instant.now()));
      allTopics = new ArrayList<>(Topics.ALL);
      Topics.ALL.forEach(t -> allTopics.add(Topics.deadLetter(t)));
      probe = new EventProbe(broker.bootstrapServers(), allTopics);
    } catch (RuntimeException | AssertionError e) {
      printLogs("start-up");
      throw e;
    }
  }

  @AfterAll
  void printSummaryAndStop() {
    try {
      System.out.println(summary());
    } finally {
      drivers.shutdownNow();
      if (probe != null) {
        probe.close();
      }
      services.values().forEach(ServiceJvm::destroy);
      if (bus != null) {
        bus.close();
      }
      if (sandbox != null) {
        sandbox.close();
      }
      if (broker != null) {
        broker.close();
      }
    }
  }

  @Test
  @Order(1)
  void aServiceKilledInTheMiddleOfItsLongestStepLosesNoMeshAndRepeatsNoEffect() throws Exception {
    startBothRuns();
    sigkillRun.get(RUN_BOUND.toMinutes(), TimeUnit.MINUTES);
    awaitProbeCaughtUp();
    System.out.println(countsTable(SIGKILL_MESH));
    assertMeshCompletedOnceWithEveryEffectOnce(SIGKILL_MESH);
  }

  @Test
  @Order(2)
  void aServiceStoppedInTheMiddleOfItsLongestStepReportsNoFailureAndRepeatsNoEffect()
      throws Exception {
    startBothRuns();
    sigtermRun.get(RUN_BOUND.toMinutes(), TimeUnit.MINUTES);
    awaitProbeCaughtUp();
    System.out.println(countsTable(SIGTERM_MESH));
    assertMeshCompletedOnceWithEveryEffectOnce(SIGTERM_MESH);
    assertThat(
            probe.events().stream()
                .filter(
                    e -> e.payload() instanceof ClusterFailed || e.payload() instanceof MeshFailed)
                .map(ServiceRestartsIT::describe)
                .toList())
        .as("ClusterFailed or MeshFailed of any mesh (e.g. INTERRUPTED on a stop)")
        .isEmpty();
  }

  /**
   * What an operator's Prometheus sees of each service once both meshes are ready: every service's
   * current JVM (each was restarted at least once) completed steps and published their outcomes,
   * none is left in flight, the consumer's lag is there, and readiness is UP.
   */
  @Test
  @Order(3)
  void everyServiceShowsItsStepsOnPrometheusAfterTheMeshes() throws Exception {
    startBothRuns();
    CompletableFuture.allOf(sigkillRun, sigtermRun).get(RUN_BOUND.toMinutes(), TimeUnit.MINUTES);
    awaitQuietBus();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Table table =
        new Table("service", "steps completed", "in flight", "events produced", "readiness");
    SoftAssertions soft = new SoftAssertions();
    for (ServiceJvm s : services.values()) {
      HttpResponse<String> scrape = get(http, s.name(), "/actuator/prometheus");
      HttpResponse<String> readiness = get(http, s.name(), "/actuator/health/readiness");
      String metrics = scrape.body();
      double completed =
          PrometheusText.sum(metrics, "mesh_step_duration_seconds_count", "outcome=\"completed\"");
      double inFlight = PrometheusText.sum(metrics, "mesh_steps_in_flight");
      double produced = PrometheusText.sum(metrics, "mesh_events_produced_total");
      table.row(s.name(), completed, inFlight, produced, readiness.statusCode());
      soft.assertThat(scrape.statusCode()).as("%s /actuator/prometheus", s.name()).isEqualTo(200);
      soft.assertThat(completed).as("%s: steps completed", s.name()).isPositive();
      soft.assertThat(produced).as("%s: events produced", s.name()).isPositive();
      soft.assertThat(inFlight).as("%s: steps in flight once quiet", s.name()).isZero();
      soft.assertThat(metrics)
          .as("%s: the consumer's lag", s.name())
          .contains("kafka_consumer_fetch_manager_records_lag_max");
      soft.assertThat(readiness.statusCode()).as("%s readiness", s.name()).isEqualTo(200);
    }
    note("metrics scraped after both meshes:%n%s", table);
    soft.assertAll();
  }

  private HttpResponse<String> get(HttpClient http, String service, String path)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts.get(service) + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  @Order(4)
  void replayingEveryTopicIntoFreshConsumerGroupsCausesNothingNew() throws Exception {
    startBothRuns();
    CompletableFuture.allOf(sigkillRun, sigtermRun).get(RUN_BOUND.toMinutes(), TimeUnit.MINUTES);
    awaitQuietBus();
    // Nothing came late: once the bus is quiet, every mesh is still answered exactly once.
    meshes.keySet().forEach(this::assertMeshCompletedOnceWithEveryEffectOnce);
    Map<String, Map<SideEffect, Long>> countsBefore = sandbox.recorder().counters().byCluster();
    Map<String, Long> recordsBefore = recordsPerTopic();
    int eventsBefore = probe.events().size();

    Instant stopping = Instant.now();
    services.values().forEach(ServiceJvm::stopAsync);
    for (ServiceJvm s : services.values()) {
      assertThat(s.awaitExit()).as("exit code of %s after SIGTERM", s.name()).isEqualTo(143);
    }
    services.values().forEach(s -> s.start(s.name() + "-replay"));
    for (ServiceJvm s : services.values()) {
      awaitConsuming(s, Set.of(), START_BOUND);
      await("fresh group " + s.group() + " caught up with " + INPUTS.get(s.name()))
          .atMost(START_BOUND)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> bus.lag(s.group(), INPUTS.get(s.name())) == 0);
    }
    Instant caughtUp = Instant.now();
    awaitQuietBus();

    Map<String, Long> recordsAfter = recordsPerTopic();
    List<EventEnvelope> all = probe.events();
    List<EventEnvelope> newEvents = all.subList(eventsBefore, all.size());
    Map<String, Map<SideEffect, Long>> countsAfter = sandbox.recorder().counters().byCluster();
    Table replay = new Table("group", "records re-read (its input topics)", "lag");
    for (ServiceJvm s : services.values()) {
      replay.row(
          s.group(), bus.records(INPUTS.get(s.name())), bus.lag(s.group(), INPUTS.get(s.name())));
    }
    note(
        "replay: five services stopped (SIGTERM) and started in fresh groups, all caught up %s"
            + " after the stop%n%snew records per topic: %s; new events: %s; side effects %s",
        ServiceJvm.seconds(stopping, caughtUp),
        replay,
        difference(recordsBefore, recordsAfter),
        newEvents.stream().map(ServiceRestartsIT::describe).toList(),
        countsAfter.equals(countsBefore)
            ? "unchanged (table below)"
            : "CHANGED: before " + countsBefore + ", after " + countsAfter);
    System.out.println(countsTable(null));

    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(countsAfter)
        .as("the sandbox's side-effect counters after the replay")
        .isEqualTo(countsBefore);
    soft.assertThat(recordsAfter)
        .as("records on every topic after the replay")
        .isEqualTo(recordsBefore);
    soft.assertThat(newEvents.stream().map(ServiceRestartsIT::describe).toList())
        .as("events published during the replay (outcomes, StepStarted, progress)")
        .isEmpty();
    soft.assertAll();
  }

  /**
   * A teardown survives a crash: mesh {@code sigkill} is deleted, and infra-service gets SIGKILL
   * while both of its Heat stacks are {@code DELETE_IN_PROGRESS} (asked, not gone). Restarted in
   * the same group, it resumes its delete steps (their {@code StepStarted} has no outcome), which
   * find the stacks being deleted and only wait; the mesh ends deleted once, each stack deleted
   * once, nothing failed. A second delete is answered with an empty {@code MeshDeleted} and deletes
   * nothing.
   */
  @Test
  @Order(5)
  void infraServiceKilledInTheMiddleOfATeardownResumesItAndDeletesEachStackOnce() throws Exception {
    String meshId = SIGKILL_MESH;
    List<String> names = meshes.get(meshId).stream().map(ClusterSpec::name).toList();
    awaitQuietBus();
    Instant requested = Instant.now();
    publish(meshId, new MeshDeleteRequested());

    await(meshId + "'s stacks DELETE_IN_PROGRESS")
        .atMost(START_BOUND)
        .pollInterval(Duration.ofMillis(100))
        .failFast("a failure was published for " + meshId, () -> !failures(meshId).isEmpty())
        .until(() -> names.stream().allMatch(c -> stacksDeleted(meshId, c) == 1));
    ServiceJvm infra = services.get("infra-service");
    Set<String> members = bus.members(infra.group());
    Instant killed = infra.kill();
    List<StepRecord> early =
        sandbox.recorder().steps().records(SandboxStep.HEAT_STACK_DELETE).stream()
            .filter(r -> meshId.equals(r.meshId()) && r.finishedAt().isBefore(killed))
            .toList();
    Instant restarted = Instant.now();
    infra.start(infra.group());
    awaitConsuming(infra, members, START_BOUND);
    Instant back = Instant.now();
    assertThat(early)
        .as(
            "a stack of %s was gone when infra-service got SIGKILL: lengthen heat-stack-delete",
            meshId)
        .isEmpty();
    EventEnvelope deleted =
        await(meshId + " deleted")
            .atMost(START_BOUND)
            .pollInterval(Duration.ofMillis(100))
            .failFast("a failure was published for " + meshId, () -> !failures(meshId).isEmpty())
            .until(() -> first(meshId, MeshDeleted.class), Objects::nonNull);
    note(
        "%s: delete requested; infra-service got SIGKILL %s later with both stacks"
            + " DELETE_IN_PROGRESS, started again %s later, consuming %s after its start;"
            + " MeshDeleted %s after the request",
        meshId,
        ServiceJvm.seconds(requested, killed),
        ServiceJvm.seconds(killed, restarted),
        ServiceJvm.seconds(restarted, back),
        ServiceJvm.seconds(requested, deleted.occurredAt()));

    // A second delete: nothing left, answered all the same.
    publish(meshId, new MeshDeleteRequested());
    await(meshId + "'s second MeshDeleted")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> count(events(meshId), MeshDeleted.class, null) == 2);
    awaitQuietBus();

    List<EventEnvelope> events = events(meshId);
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(failures(meshId)).as("failures of %s", meshId).isEmpty();
    soft.assertThat(((MeshDeleted) deleted.payload()).clusters())
        .extracting(MeshDeleted.DeletedCluster::name)
        .as("clusters of the MeshDeleted of %s", meshId)
        .containsExactlyElementsOf(names);
    soft.assertThat(
            events.stream()
                .filter(e -> e.payload() instanceof MeshDeleted)
                .map(e -> ((MeshDeleted) e.payload()).clusters())
                .toList())
        .as("the second MeshDeleted deleted nothing")
        .last()
        .asInstanceOf(InstanceOfAssertFactories.LIST)
        .isEmpty();
    for (String cluster : names) {
      soft.assertThat(stacksDeleted(meshId, cluster))
          .as("stack deletes of %s/%s in the sandbox", meshId, cluster)
          .isEqualTo(1);
      for (String part : List.of(Stage.VMS, Stage.KUBERNETES)) {
        soft.assertThat(
                events.stream()
                    .filter(
                        e ->
                            cluster.equals(e.cluster())
                                && e.payload() instanceof ClusterDeleted d
                                && d.part().equals(part))
                    .count())
            .as("ClusterDeleted part %s of %s/%s", part, meshId, cluster)
            .isEqualTo(1);
      }
    }
    soft.assertThat(sandbox.cloud().stackNames())
        .as("stacks left in the sandbox")
        .noneMatch(n -> n.startsWith("mesh-" + meshId + "-"));
    soft.assertAll();
  }

  private long stacksDeleted(String meshId, String cluster) {
    return sandbox
        .recorder()
        .counters()
        .count(SideEffect.HEAT_STACK_DELETED, new ClusterRef(meshId, cluster));
  }

  // ---------------------------------------------------------------------------------------------
  // The scenario: one mesh through the five interruptions

  /**
   * Starts the two runs once, side by side: the SIGKILL mesh at once, the SIGTERM mesh one stage
   * behind it. They never want the same service at the same time, whatever the machine's pace: the
   * SIGTERM mesh starts once the SIGKILL mesh's VMs are ready, and the SIGTERM run keeps the
   * service it stopped down until the SIGKILL mesh has finished the next stage, so its own next
   * stage cannot begin before the SIGKILL run is done with that stage's service. Neither a SIGKILL
   * nor a SIGTERM ever hits the other mesh's step, and the SIGKILL run never waits for the SIGTERM
   * run.
   */
  private synchronized void startBothRuns() {
    if (sigkillRun != null) {
      return;
    }
    List<CompletableFuture<Void>> released =
        LongestStep.ALL.stream().map(step -> new CompletableFuture<Void>()).toList();
    sigkillRun =
        CompletableFuture.runAsync(
            () ->
                drive(
                    Signal.SIGKILL,
                    SIGKILL_MESH,
                    new Turn() {
                      @Override
                      public void serviceBack(int step) {
                        released.get(step).complete(null);
                      }
                    }),
            drivers);
    sigkillRun.whenComplete(
        (ok, failure) -> {
          if (failure != null) {
            released.forEach(r -> r.completeExceptionally(failure));
          }
        });
    sigtermRun =
        CompletableFuture.runAsync(
            () -> {
              awaitStageDone(SIGKILL_MESH, 0);
              drive(
                  Signal.SIGTERM,
                  SIGTERM_MESH,
                  new Turn() {
                    @Override
                    public void beforeSignal(int step) {
                      join(released.get(step));
                    }

                    @Override
                    public void beforeRestart(int step) {
                      if (step + 1 < LongestStep.ALL.size()) {
                        awaitStageDone(SIGKILL_MESH, step + 1);
                      }
                    }
                  });
            },
            drivers);
  }

  /** Where a run waits for the other; by default it does not. */
  interface Turn {
    /** Before the service of step {@code step} gets its signal. */
    default void beforeSignal(int step) {}

    /** After the signal, before the service of step {@code step} starts again. */
    default void beforeRestart(int step) {}

    /** The service of step {@code step} consumes again after its restart. */
    default void serviceBack(int step) {}
  }

  /** Waits until the outcome of stage {@code step} of {@code meshId} is out for every cluster. */
  private void awaitStageDone(String meshId, int step) {
    LongestStep longest = LongestStep.ALL.get(step);
    int expected = longest.perCluster() ? meshes.get(meshId).size() : 1;
    await(meshId + " past " + longest.what())
        .atMost(RUN_BOUND)
        .pollInterval(Duration.ofMillis(100))
        .failFast("the SIGKILL run failed", () -> sigkillRun.isCompletedExceptionally())
        .until(() -> outcomes(longest, meshId).size() >= expected);
  }

  private static void join(CompletableFuture<Void> future) {
    try {
      future.get(RUN_BOUND.toMinutes(), TimeUnit.MINUTES);
    } catch (Exception e) {
      throw new IllegalStateException("the SIGKILL run failed or is stuck: " + e, e);
    }
  }

  /** One mesh through the five interruptions, each in the middle of the service's longest step. */
  private void drive(Signal signal, String meshId, Turn turn) {
    List<ClusterSpec> clusters = meshes.get(meshId);
    List<String> names = clusters.stream().map(ClusterSpec::name).toList();
    Instant requested = Instant.now();
    publishRequest(meshId, clusters);

    for (int index = 0; index < LongestStep.ALL.size(); index++) {
      LongestStep step = LongestStep.ALL.get(index);
      Instant middle = awaitTheMiddleOf(step, meshId, names);
      turn.beforeSignal(index);
      ServiceJvm jvm = services.get(step.service());
      Set<String> members = bus.members(jvm.group());
      Instant signalled = signal == Signal.SIGKILL ? jvm.kill() : jvm.stop();
      List<StepRecord> early = sandboxFinished(step, meshId, names, signalled);
      turn.beforeRestart(index);
      Instant restarted = Instant.now();
      jvm.start(jvm.name());
      awaitConsuming(jvm, members, START_BOUND);
      Instant back = Instant.now();
      turn.serviceBack(index);
      assertThat(early)
          .as(
              "%s of %s had already finished in the sandbox when %s got %s: the suite did not"
                  + " interrupt it in the middle; lengthen the step's latency",
              step.what(), meshId, step.service(), signal)
          .isEmpty();
      interruptions.add(new Interruption(signal, step, meshId, middle, signalled, restarted, back));
      note(
          "%s: %s got %s in the middle of %s (%s after the request), started again %s later,"
              + " consuming %s after its start",
          meshId,
          step.service(),
          signal,
          step.what(),
          ServiceJvm.seconds(requested, signalled),
          ServiceJvm.seconds(signalled, restarted),
          ServiceJvm.seconds(restarted, back));
    }

    EventEnvelope ready =
        await(meshId + " ready")
            .atMost(START_BOUND)
            .pollInterval(Duration.ofMillis(100))
            .failFast("a failure was published for " + meshId, () -> !failures(meshId).isEmpty())
            .until(() -> first(meshId, MeshReady.class), Objects::nonNull);
    note(
        "%s: MeshReady %s after the request",
        meshId, ServiceJvm.seconds(requested, ready.occurredAt()));
  }

  private void assertMeshCompletedOnceWithEveryEffectOnce(String meshId) {
    List<ClusterSpec> clusters = meshes.get(meshId);
    List<EventEnvelope> events = events(meshId);
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(failures(meshId).stream().map(ServiceRestartsIT::describe).toList())
        .as("ClusterFailed, MeshFailed or MeshRejected of %s (a stop is never a failure)", meshId)
        .isEmpty();
    soft.assertThat(
            probe.records().stream()
                .filter(r -> r.topic().endsWith(".dlt") && meshId.equals(r.key()))
                .map(r -> r.topic() + "@" + r.offset())
                .toList())
        .as("dead letters of %s", meshId)
        .isEmpty();
    soft.assertThat(count(events, MeshReady.class, null))
        .as("MeshReady of %s", meshId)
        .isEqualTo(1);

    for (ClusterSpec cluster : clusters) {
      String name = cluster.name();
      for (Class<? extends MeshEvent> outcome : CLUSTER_OUTCOMES) {
        soft.assertThat(count(events, outcome, name))
            .as("%s of %s/%s", outcome.getSimpleName(), meshId, name)
            .isEqualTo(1);
      }
      for (String stage : CLUSTER_STAGES) {
        soft.assertThat(stepsStarted(events, stage, name))
            .as("StepStarted %s of %s/%s", stage, meshId, name)
            .isEqualTo(1);
      }
      ClusterRef ref = new ClusterRef(meshId, name);
      Map<SideEffect, Long> expected = expectedCounts(cluster);
      expected.forEach(
          (effect, n) ->
              soft.assertThat(sandbox.recorder().counters().count(effect, ref))
                  .as("sandbox counter %s of %s", effect, ref)
                  .isEqualTo(n));
    }
    soft.assertThat(stepsStarted(events, Stage.MESH, null))
        .as("StepStarted mesh of %s", meshId)
        .isEqualTo(1);

    // Each interruption happened in the middle: the sandbox finished the step after the signal,
    // and the outcome came from the restarted service (it was created after the signal).
    List<String> names = clusters.stream().map(ClusterSpec::name).toList();
    for (Interruption i : interruptions.stream().filter(i -> i.meshId().equals(meshId)).toList()) {
      LongestStep step = i.step();
      for (String name : names) {
        List<StepRecord> done = sandboxFinished(step, meshId, List.of(name), Instant.MAX);
        soft.assertThat(done)
            .as("%s of %s/%s finished in the sandbox", step.what(), meshId, name)
            .isNotEmpty()
            .allSatisfy(
                r ->
                    assertThat(r.finishedAt())
                        .as("%s of %s/%s finished after %s", step.what(), meshId, name, i.signal())
                        .isAfter(i.signalled()));
      }
      soft.assertThat(events.stream().filter(e -> step.outcome().isInstance(e.payload())).toList())
          .as("%s of %s", step.outcome().getSimpleName(), meshId)
          .isNotEmpty()
          .allSatisfy(
              e ->
                  assertThat(e.occurredAt())
                      .as(
                          "%s of %s/%s published by the restarted %s, after the %s",
                          step.outcome().getSimpleName(),
                          meshId,
                          e.cluster(),
                          step.service(),
                          i.signal())
                      .isAfter(i.signalled()));
    }

    MeshReady ready = (MeshReady) first(meshId, MeshReady.class).payload();
    soft.assertThat(ready.clusters())
        .as("node table of %s", meshId)
        .extracting(MeshReady.MeshClusterView::name)
        .containsExactlyInAnyOrderElementsOf(names);
    for (MeshReady.MeshClusterView view : ready.clusters()) {
      soft.assertThat(view.remoteNodes())
          .as("what %s of %s sees", view.name(), meshId)
          .allSatisfy(r -> assertThat(r.nodes()).hasSize(NODES));
    }
    soft.assertAll();
  }

  /** One of every install per cluster; a pair update per node port; {@code rke up} runs shown. */
  private static Map<SideEffect, Long> expectedCounts(ClusterSpec cluster) {
    Map<SideEffect, Long> expected = new LinkedHashMap<>();
    expected.put(SideEffect.HEAT_STACK_CREATED, 1L);
    expected.put(SideEffect.PORT_PAIRS_CHANGED, (long) cluster.nodeCount());
    expected.put(SideEffect.RKE_CLUSTER_STARTED, 1L);
    expected.put(SideEffect.CILIUM_INSTALLED, 1L);
    expected.put(SideEffect.METALLB_INSTALLED, 1L);
    expected.put(SideEffect.MESH_CONNECTION_WRITTEN, 1L);
    return expected;
  }

  // ---------------------------------------------------------------------------------------------
  // "In the middle of the longest step", seen from outside

  private Instant awaitTheMiddleOf(LongestStep step, String meshId, List<String> clusters) {
    await(meshId + " in the middle of " + step.what() + " (" + step.service() + ")")
        .atMost(START_BOUND)
        .pollInterval(Duration.ofMillis(50))
        .failFast(
            step.what()
                + " of "
                + meshId
                + " ended before the suite saw it in the middle (lengthen its latency), or a"
                + " failure was published",
            () ->
                !sandboxFinished(step, meshId, clusters, Instant.MAX).isEmpty()
                    || !outcomes(step, meshId).isEmpty()
                    || !failures(meshId).isEmpty())
        .until(() -> inTheMiddle(step, meshId, clusters));
    return Instant.now();
  }

  private boolean inTheMiddle(LongestStep step, String meshId, List<String> clusters) {
    List<EventEnvelope> events = events(meshId);
    List<String> scope = step.perCluster() ? clusters : java.util.Collections.singletonList(null);
    for (String cluster : scope) {
      if (stepsStarted(events, step.stage(), cluster) == 0) {
        return false;
      }
    }
    for (String cluster : clusters) {
      if (step.begun() != null
          && sandbox.recorder().counters().count(step.begun(), new ClusterRef(meshId, cluster))
              == 0) {
        return false;
      }
      if (step.waitingMessage() != null
          && events.stream()
              .noneMatch(
                  e ->
                      cluster.equals(e.cluster())
                          && e.payload() instanceof ProgressReported p
                          && p.stage().equals(step.stage())
                          && p.message().startsWith(step.waitingMessage()))) {
        return false;
      }
    }
    return sandboxFinished(step, meshId, clusters, Instant.MAX).isEmpty()
        && outcomes(step, meshId).isEmpty();
  }

  /** The sandbox's records of the step's end for these clusters, finished before {@code before}. */
  private List<StepRecord> sandboxFinished(
      LongestStep step, String meshId, List<String> clusters, Instant before) {
    return sandbox.recorder().steps().records(step.sandboxStep()).stream()
        .filter(r -> meshId.equals(r.meshId()) && clusters.contains(r.clusterName()))
        .filter(r -> step.object() == null || step.object().equals(r.object()))
        .filter(r -> r.finishedAt().isBefore(before))
        .toList();
  }

  private List<EventEnvelope> outcomes(LongestStep step, String meshId) {
    return events(meshId).stream().filter(e -> step.outcome().isInstance(e.payload())).toList();
  }

  // ---------------------------------------------------------------------------------------------
  // The bus

  private void publishRequest(String meshId, List<ClusterSpec> clusters) {
    publish(meshId, new MeshRequested(clusters));
  }

  private void publish(String meshId, MeshEvent payload) {
    EventEnvelope request = EventEnvelope.create(meshId, null, null, "restart-suite", payload);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                15_000),
            new StringSerializer(),
            new ByteArraySerializer())) {
      ProducerRecord<String, byte[]> record =
          new ProducerRecord<>(Topics.REQUESTS, meshId, codec.encode(request));
      record.headers().add(Topics.TYPE_HEADER, request.type().getBytes(StandardCharsets.UTF_8));
      producer.send(record).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot publish the request of " + meshId, e);
    }
  }

  private void awaitConsuming(ServiceJvm service, Set<String> goneMembers, Duration atMost) {
    await(service.name() + " consuming in group " + service.group())
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(200))
        .failFast(service.name() + " exited", () -> !service.alive())
        .until(() -> bus.consuming(service.group(), INPUTS.get(service.name()), goneMembers));
  }

  /** Waits until no topic got a record for 3 s and the probe has read everything. */
  private void awaitQuietBus() {
    AtomicLong last = new AtomicLong(-1);
    await("a quiet bus")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .during(Duration.ofSeconds(3))
        .until(
            () -> {
              long now = bus.records(allTopics);
              return last.getAndSet(now) == now && probe.records().size() == now;
            });
  }

  /** Waits until the probe has read every record on the bus so far. */
  private void awaitProbeCaughtUp() {
    long records = bus.records(allTopics);
    await("the probe reading " + records + " records")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> probe.records().size() >= records);
  }

  private Map<String, Long> recordsPerTopic() {
    Map<String, Long> out = new TreeMap<>();
    bus.endOffsets(allTopics).forEach((tp, end) -> out.merge(tp.topic(), end, Long::sum));
    return out;
  }

  private List<EventEnvelope> events(String meshId) {
    return probe.events().stream().filter(e -> meshId.equals(e.meshId())).toList();
  }

  private List<EventEnvelope> failures(String meshId) {
    return events(meshId).stream()
        .filter(
            e ->
                e.payload() instanceof ClusterFailed
                    || e.payload() instanceof MeshFailed
                    || e.payload() instanceof MeshRejected)
        .toList();
  }

  private EventEnvelope first(String meshId, Class<? extends MeshEvent> type) {
    return events(meshId).stream()
        .filter(e -> type.isInstance(e.payload()))
        .findFirst()
        .orElse(null);
  }

  private static long count(
      List<EventEnvelope> events, Class<? extends MeshEvent> type, String cluster) {
    return events.stream()
        .filter(e -> type.isInstance(e.payload()) && Objects.equals(cluster, e.cluster()))
        .count();
  }

  private static long stepsStarted(List<EventEnvelope> events, String stage, String cluster) {
    return events.stream()
        .filter(
            e ->
                e.payload() instanceof StepStarted s
                    && s.stage().equals(stage)
                    && Objects.equals(cluster, e.cluster()))
        .count();
  }

  private static String describe(EventEnvelope e) {
    String detail = "";
    if (e.payload() instanceof ClusterFailed f) {
      detail = " " + f.stage() + " " + f.code() + ": " + f.reason();
    } else if (e.payload() instanceof MeshFailed f) {
      detail = " " + f.stage() + " " + f.code() + ": " + f.reason();
    } else if (e.payload() instanceof ProgressReported p) {
      detail = " " + p.message();
    } else if (e.payload() instanceof StepStarted s) {
      detail = " " + s.stage();
    }
    return e.payload().getClass().getSimpleName()
        + " "
        + e.meshId()
        + (e.cluster() == null ? "" : "/" + e.cluster())
        + " by "
        + e.producer()
        + detail;
  }

  // ---------------------------------------------------------------------------------------------
  // Report

  private void note(String format, Object... args) {
    String line = String.format(java.util.Locale.ROOT, format, args);
    report.add(line);
    System.out.println("[restart-suite] " + line);
  }

  private String countsTable(String meshIdOrNull) {
    List<SideEffect> effects = List.of(SideEffect.values());
    List<String> header = new ArrayList<>();
    header.add("cluster");
    effects.forEach(e -> header.add(e.id()));
    Table table = new Table(header.toArray(String[]::new));
    meshes.forEach(
        (meshId, clusters) -> {
          if (meshIdOrNull != null && !meshIdOrNull.equals(meshId)) {
            return;
          }
          for (ClusterSpec cluster : clusters) {
            ClusterRef ref = new ClusterRef(meshId, cluster.name());
            List<Object> row = new ArrayList<>();
            row.add(ref);
            Map<SideEffect, Long> expected = expectedCounts(cluster);
            if (sandbox.recorder().counters().count(SideEffect.HEAT_STACK_DELETED, ref) > 0) {
              // torn down since (the teardown test): its pairs removed as they were added
              expected.put(SideEffect.HEAT_STACK_DELETED, 1L);
              expected.put(SideEffect.PORT_PAIRS_CHANGED, 2L * cluster.nodeCount());
            }
            for (SideEffect effect : effects) {
              long n = sandbox.recorder().counters().count(effect, ref);
              Long want = expected.get(effect);
              row.add(want == null || want == n ? String.valueOf(n) : n + " (want " + want + ")");
            }
            table.row(row.toArray());
          }
        });
    return "Side effects counted by the sandbox (per cluster; rke-up-invocations is reported, not"
        + " asserted):\n"
        + table;
  }

  private String summary() {
    StringBuilder out = new StringBuilder("\n===== restart-suite summary =====\n");
    Table signals =
        new Table(
            "mesh",
            "signal",
            "service",
            "in the middle of",
            "seen → signal",
            "signal → sandbox step ended",
            "signal → start",
            "start → consuming");
    List<Interruption> sorted = new ArrayList<>(interruptions);
    sorted.sort(
        Comparator.comparing(Interruption::meshId)
            .thenComparing(i -> LongestStep.ALL.indexOf(i.step())));
    for (Interruption i : sorted) {
      List<String> names = meshes.get(i.meshId()).stream().map(ClusterSpec::name).toList();
      String ended =
          sandboxFinished(i.step(), i.meshId(), names, Instant.MAX).stream()
              .map(StepRecord::finishedAt)
              .min(Comparator.naturalOrder())
              .map(at -> "+" + ServiceJvm.seconds(i.signalled(), at))
              .orElse("not yet");
      signals.row(
          i.meshId(),
          i.signal(),
          i.step().service(),
          i.step().what(),
          ServiceJvm.seconds(i.inTheMiddle(), i.signalled()),
          ended,
          ServiceJvm.seconds(i.signalled(), i.restarted()),
          ServiceJvm.seconds(i.restarted(), i.consumingAgain()));
    }
    out.append(signals).append('\n');
    if (sandbox != null) {
      out.append(countsTable(null)).append('\n');
      out.append("totals: ").append(sandbox.recorder().counters().totals()).append('\n');
    }
    report.forEach(line -> out.append(line).append('\n'));
    out.append("suite time: ").append(ServiceJvm.seconds(suiteStart, Instant.now())).append('\n');
    if (work != null) {
      out.append("logs: ").append(work.resolve("logs")).append('\n');
    }
    return out.toString();
  }

  private void printLogs(String what) {
    StringBuilder out = new StringBuilder("\n===== " + what + " failed: service logs =====\n");
    for (ServiceJvm s : services.values()) {
      out.append(s.name()).append(": ").append(s.logs()).append('\n');
      out.append(s.tail(15).indent(4));
    }
    if (work != null) {
      out.append("broker and sandbox: ").append(work.resolve("test-jvm.log")).append('\n');
    }
    if (probe != null) {
      meshes
          .keySet()
          .forEach(
              meshId ->
                  out.append("events of ")
                      .append(meshId)
                      .append(":\n")
                      .append(
                          String.join(
                                  "\n",
                                  events(meshId).stream()
                                      .sorted(Comparator.comparing(EventEnvelope::occurredAt))
                                      .map(e -> e.occurredAt() + " " + describe(e))
                                      .toList())
                              .indent(4)));
    }
    System.out.println(out);
  }

  private static Map<String, Long> difference(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> out = new TreeMap<>();
    after.forEach(
        (topic, n) -> {
          long d = n - before.getOrDefault(topic, 0L);
          if (d != 0) {
            out.put(topic, d);
          }
        });
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Housekeeping

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
