package io.meshorch.infra.adapter.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshorch.infra.domain.AddressPair;
import io.meshorch.infra.domain.CloudCredentials;
import io.meshorch.infra.domain.CloudCredentialsParser;
import io.meshorch.infra.domain.ClusterStack;
import io.meshorch.infra.domain.ConsoleFingerprints;
import io.meshorch.infra.domain.HeatTemplate;
import io.meshorch.infra.domain.KeystoneAuth;
import io.meshorch.infra.domain.NetworkPortState;
import io.meshorch.infra.domain.StackAlreadyExistsException;
import io.meshorch.infra.domain.StackNode;
import io.meshorch.infra.domain.StackOutputs;
import io.meshorch.infra.domain.StackState;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.Throttled;
import io.meshorch.sandbox.openstack.SandboxCloud;
import io.meshorch.testkit.Samples;
import java.io.IOException;
import java.net.ServerSocket;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The three adapters driven by openstack4j against the sandbox cloud over HTTP. */
class Openstack4jAdaptersTest {
  private static final String PASSWORD = "s3cret-pw";
  private static SandboxCloud cloud;
  private static OpenstackSession session;
  private static Openstack4jOrchestrationAdapter heat;
  private static Openstack4jComputeAdapter nova;
  private static Openstack4jNetworkAdapter neutron;
  private static List<StackNode> nodes;

  @BeforeAll
  static void start() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    cloud =
        SandboxCloud.builder()
            .bindAddress("127.0.0.1")
            .port(0)
            .credentials("demo", PASSWORD, "demo", "Default")
            .stackCreateDelay(Duration.ofMillis(200))
            .vmBootDelay(Duration.ofMillis(200))
            .vmSubnet("127.10.0.0/16")
            .vmSshPort(freePort())
            .keypair("mesh", PublicKeyEntry.toString(generator.generateKeyPair().getPublic()))
            .build()
            .start();
    session = session(cloud.identityUrl(), PASSWORD);
    heat = new Openstack4jOrchestrationAdapter(session, Duration.ofMinutes(5));
    nova = new Openstack4jComputeAdapter(session, 0);
    neutron = new Openstack4jNetworkAdapter(session);
    ClusterStack names = new ClusterStack("t1", "east");
    heat.createStack(
        names.stackName(),
        HeatTemplate.render(names, Samples.cluster("east", 1, 2)),
        List.of(names.meshTag()));
    StackState done =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> heat.findStack(names.stackName()).orElseThrow(), s -> !s.inProgress());
    assertThat(done.status()).isEqualTo("CREATE_COMPLETE");
    nodes = StackOutputs.nodes(done.outputs(), 2);
  }

  @AfterAll
  static void stop() {
    cloud.close();
  }

  private static OpenstackSession session(String authUrl, String password) {
    return new OpenstackSession(
        () ->
            CloudCredentials.password(
                "test",
                authUrl,
                new KeystoneAuth.Password("demo", password, "demo", null, "Default", "Default"),
                "RegionOne"),
        Duration.ofSeconds(2),
        Duration.ofSeconds(10),
        Duration.ofMinutes(5));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void readsTheSubnetCidrsOfTheNodeNetworkByNameAndById() {
    assertThat(neutron.subnetCidrs("mesh-net")).containsExactly("127.10.0.0/16");
    String networkId =
        session.call("network", "net", os -> os.networking().network().list().get(0).getId());
    assertThat(neutron.subnetCidrs(networkId)).containsExactly("127.10.0.0/16");
    assertThatThrownBy(() -> neutron.subnetCidrs("no-such-net"))
        .isInstanceOf(TerminalFailure.class)
        .hasMessageContaining("no-such-net");
  }

  @Test
  void thePortsOfTheRenderedTemplateAreInTheClustersOwnSecurityGroup() {
    for (StackNode node : nodes) {
      List<String> groups = cloud.findPort(node.portId()).orElseThrow().securityGroupIds();
      assertThat(groups).hasSize(1);
      assertThat(cloud.securityGroups())
          .filteredOn(g -> g.id().equals(groups.get(0)))
          .extracting(g -> g.name())
          .containsExactly("mesh-t1-east-nodes");
    }
  }

  @Test
  void readsTheNodesOfAStackCreatedFromTheRenderedTemplate() {
    assertThat(cloud.stackNames()).contains("mesh-t1-east");
    assertThat(nodes)
        .extracting(StackNode::name)
        .containsExactly("mesh-t1-east-node-0", "mesh-t1-east-node-1");
    for (StackNode node : nodes) {
      assertThat(node.address()).startsWith("127.10.");
      assertThat(cloud.findPort(node.portId()).orElseThrow().deviceId()).isEqualTo(node.serverId());
      assertThat(cloud.findPort(node.portId()).orElseThrow().fixedIp()).isEqualTo(node.address());
    }
  }

  @Test
  void readsTheHostKeyFingerprintsFromTheConsole() {
    for (StackNode node : nodes) {
      List<String> keys =
          await()
              .atMost(Duration.ofSeconds(20))
              .until(
                  () -> ConsoleFingerprints.parse(nova.consoleOutput(node.serverId())),
                  Optional::isPresent)
              .orElseThrow();
      assertThat(keys).singleElement().asString().startsWith("SHA256:");
    }
  }

  @Test
  void servesCallsFromAnyThreadWithOneSessionAndOneAuthentication() throws Exception {
    OpenstackSession shared = session(cloud.identityUrl(), PASSWORD);
    Openstack4jOrchestrationAdapter sharedHeat =
        new Openstack4jOrchestrationAdapter(shared, Duration.ofMinutes(5));
    Openstack4jNetworkAdapter sharedNeutron = new Openstack4jNetworkAdapter(shared);
    long authenticationsBefore = authentications();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        StackNode node = nodes.get(i % nodes.size());
        answers.add(
            threads.submit(
                () ->
                    sharedHeat.findStack("mesh-t1-east").orElseThrow().status()
                        + " "
                        + sharedNeutron.port(node.portId()).id().equals(node.portId())));
      }
      for (Future<String> answer : answers) {
        assertThat(answer.get(30, TimeUnit.SECONDS)).isEqualTo("CREATE_COMPLETE true");
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(authentications() - authenticationsBefore).isEqualTo(1);
  }

  @Test
  void aPacedSessionKeepsManyWorkersUnderTheCloudsRateLimitWhereAnUnpacedOneIsRefused()
      throws Exception {
    // The cloud allows the project 40 requests/s in bursts of 10 (its front end answers 429).
    OpenstackSession paced =
        OpenstackSession.paced(
            () ->
                CloudCredentials.password(
                    "test",
                    cloud.identityUrl(),
                    new KeystoneAuth.Password("demo", PASSWORD, "demo", null, "Default", "Default"),
                    "RegionOne"),
            Duration.ofSeconds(2),
            Duration.ofSeconds(10),
            Duration.ofMinutes(5),
            20,
            3);
    OpenstackSession unpaced = session(cloud.identityUrl(), PASSWORD);
    paced.tokenId();
    unpaced.tokenId();
    long refusedBefore = refusals();
    try {
      cloud.rateLimit(40, 10);
      List<String> pacedAnswers = readPortsFromEightWorkers(new Openstack4jNetworkAdapter(paced));
      long refusedPaced = refusals() - refusedBefore;
      List<String> unpacedAnswers =
          readPortsFromEightWorkers(new Openstack4jNetworkAdapter(unpaced));

      assertThat(pacedAnswers).hasSize(48).containsOnly("ok");
      assertThat(refusedPaced).isZero();
      // The same calls without the limit: the cloud refuses some, each a transient failure.
      assertThat(refusals() - refusedBefore).isPositive();
      assertThat(unpacedAnswers).contains("OPENSTACK_RATE_LIMITED");
    } finally {
      cloud.rateLimit(0, 1);
    }
  }

  @Test
  void aCloudsYamlRateLimitKeepsThatServiceUnderItsOwnLimitWhereASessionWithoutIsRefused()
      throws Exception {
    // Neutron's pipeline limits the project to 10 requests/s in bursts of 3; the other services
    // and the project as a whole are not limited.
    String cloudsYaml =
        """
        clouds:
          sandbox:
            auth: {auth_url: '%s', username: demo, password: '%s', project_name: demo}
            region_name: RegionOne
            rate_limit: {network: 5}
        """
            .formatted(cloud.identityUrl(), PASSWORD);
    OpenstackSession limited =
        new OpenstackSession(
            () -> CloudCredentialsParser.fromCloudsYaml(cloudsYaml, "sandbox", "clouds.yaml"),
            Duration.ofSeconds(2),
            Duration.ofSeconds(10),
            Duration.ofMinutes(5));
    OpenstackSession unlimited = session(cloud.identityUrl(), PASSWORD);
    limited.tokenId();
    unlimited.tokenId();
    long refusedBefore = refusals();
    try {
      cloud.rateLimit("network", 10, 3);
      List<String> limitedAnswers =
          readPortsFromEightWorkers(new Openstack4jNetworkAdapter(limited), 12);
      long refusedLimited = refusals() - refusedBefore;
      List<String> unlimitedAnswers =
          readPortsFromEightWorkers(new Openstack4jNetworkAdapter(unlimited), 12);

      assertThat(limitedAnswers).hasSize(12).containsOnly("ok");
      assertThat(refusedLimited).isZero();
      assertThat(refusals() - refusedBefore).isPositive();
      assertThat(unlimitedAnswers).contains("OPENSTACK_RATE_LIMITED");

      // The limit is Neutron's alone: the same session's calls to Heat are not paced by it, so
      // a limit on Heat that clouds.yaml does not mention refuses some of them.
      cloud.rateLimit("orchestration", 10, 3);
      long refusedBeforeHeat = refusals();
      Openstack4jOrchestrationAdapter limitedHeat =
          new Openstack4jOrchestrationAdapter(limited, Duration.ofMinutes(5));
      List<String> heatAnswers =
          fromEightWorkers(
              12, i -> limitedHeat.findStack("mesh-t1-nowhere").isEmpty() ? "ok" : "found");
      assertThat(refusals() - refusedBeforeHeat).isPositive();
      assertThat(heatAnswers).contains("OPENSTACK_RATE_LIMITED");
    } finally {
      cloud.rateLimit("network", 0, 1);
      cloud.rateLimit("orchestration", 0, 1);
    }
  }

  @Test
  void aFrontEndsHtmlRefusalIsToldAsOneLineWithWhatToDo() {
    OpenstackSession fresh = session(cloud.identityUrl(), PASSWORD);
    fresh.tokenId();
    Openstack4jNetworkAdapter network = new Openstack4jNetworkAdapter(fresh);
    String portId = nodes.get(0).portId();
    try {
      cloud.rateLimit("network", 0.1, 1);
      network.port(portId);
      assertThatThrownBy(() -> network.port(portId))
          .isInstanceOfSatisfying(
              StepFailure.class, f -> assertThat(f.code()).isEqualTo("OPENSTACK_RATE_LIMITED"))
          .hasMessageContaining(
              "(HTTP 429): 429 Too Many Requests You have sent too many requests in a given amount"
                  + " of time. (the cloud limits how fast it may be called")
          .hasMessageNotContaining("<")
          .hasMessageNotContaining("\n");
    } finally {
      cloud.rateLimit("network", 0, 1);
    }
  }

  private static List<String> readPortsFromEightWorkers(Openstack4jNetworkAdapter network)
      throws Exception {
    return readPortsFromEightWorkers(network, 48);
  }

  private static List<String> readPortsFromEightWorkers(
      Openstack4jNetworkAdapter network, int count) throws Exception {
    return fromEightWorkers(
        count,
        i -> {
          String portId = nodes.get(i % nodes.size()).portId();
          return network.port(portId).id().equals(portId) ? "ok" : "wrong port";
        });
  }

  /**
   * Eight workers make {@code count} reads at once; "ok" or the failure's code per read. A read the
   * session held back (nothing sent) is made again when it was told.
   */
  private static List<String> fromEightWorkers(int count, IntFunction<String> read)
      throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> reads = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int index = i;
        reads.add(
            threads.submit(
                () -> {
                  while (true) {
                    try {
                      return read.apply(index);
                    } catch (Throttled t) {
                      // Not sent: called again when told, as the kit calls a throttled step.
                      Thread.sleep(t.retryAfter().toMillis() + 1);
                    } catch (StepFailure f) {
                      return f.code();
                    }
                  }
                }));
      }
      List<String> answers = new ArrayList<>();
      for (Future<String> answer : reads) {
        answers.add(answer.get(60, TimeUnit.SECONDS));
      }
      return answers;
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void afterA429NoCallGoesToTheCloudBeforeItsRetryAfterHasPassed() {
    OpenstackSession fresh = session(cloud.identityUrl(), PASSWORD);
    fresh.tokenId();
    Openstack4jOrchestrationAdapter freshHeat =
        new Openstack4jOrchestrationAdapter(fresh, Duration.ofMinutes(5));
    int before = cloud.requests().size();
    try {
      // One request now, then one a second: the second call is refused with Retry-After: 1.
      cloud.rateLimit(1, 1);
      assertThat(freshHeat.findStack("mesh-t1-nowhere")).isEmpty();
      assertThatThrownBy(() -> freshHeat.findStack("mesh-t1-nowhere"))
          .isInstanceOfSatisfying(
              StepFailure.class,
              f -> {
                assertThat(f.code()).isEqualTo("OPENSTACK_RATE_LIMITED");
                assertThat(f.retryable()).isTrue();
              });

      // From another worker too: the session waits out the Retry-After before sending.
      ExecutorService other = Executors.newSingleThreadExecutor();
      try {
        assertThat(
                other
                    .submit(() -> freshHeat.findStack("mesh-t1-nowhere").isEmpty())
                    .get(30, TimeUnit.SECONDS))
            .isTrue();
      } finally {
        other.shutdownNow();
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      cloud.rateLimit(0, 1);
    }
    List<SandboxCloud.RequestRecord> served =
        cloud.requests().subList(before, cloud.requests().size());
    assertThat(served.stream().map(SandboxCloud.RequestRecord::status))
        .containsExactly(404, 429, 404);
    assertThat(Duration.between(served.get(1).at(), served.get(2).at()))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
  }

  private static long refusals() {
    return cloud.requests().stream().filter(r -> r.status() == 429).count();
  }

  private static long authentications() {
    return cloud.requests().stream()
        .filter(r -> r.method().equals("POST") && r.path().endsWith("/auth/tokens"))
        .count();
  }

  @Test
  void reportsAnExistingStackNameAsAlreadyExisting() {
    assertThatThrownBy(
            () ->
                heat.createStack(
                    "mesh-t1-east",
                    HeatTemplate.render(
                        new ClusterStack("t1", "east"), Samples.cluster("east", 1, 1)),
                    List.of()))
        .isInstanceOf(StackAlreadyExistsException.class);
  }

  @Test
  void findsNoStackForAnUnknownName() {
    assertThat(heat.findStack("mesh-t1-nowhere")).isEmpty();
  }

  @Test
  void refusesAnInvalidTemplateTerminally() {
    assertThatThrownBy(
            () ->
                heat.createStack(
                    "mesh-t1-bad",
                    "heat_template_version: 2018-08-31\nresources:\n  x: {type: OS::Nonexistent::Thing}\n",
                    List.of()))
        .isInstanceOfSatisfying(
            StepFailure.class,
            f -> {
              assertThat(f.retryable()).isFalse();
              assertThat(f.code()).isEqualTo("OPENSTACK_REJECTED");
            });
  }

  @Test
  void mergesPairsWithAMinimalPutThatNeutronAccepts() {
    String portId = nodes.get(0).portId();

    neutron.replaceAllowedAddressPairs(
        neutron.port(portId),
        List.of(AddressPair.of("10.195.197.192/28"), AddressPair.of("192.168.51.10")));
    NetworkPortState port = neutron.port(portId);

    assertThat(cloud.findPort(portId).orElseThrow().allowedAddressPairs())
        .extracting(p -> p.get("ip_address"))
        .containsExactly("10.195.197.192/28", "192.168.51.10");
    assertThat(port.allowedAddressPairs())
        .extracting(AddressPair::ipAddress)
        .containsExactly("10.195.197.192/28", "192.168.51.10");
    assertThat(port.revisionNumber()).isGreaterThan(1);
    assertThat(port.allowedAddressPairs())
        .extracting(AddressPair::macAddress)
        .containsOnly(port.macAddress());
  }

  @Test
  void neverOverwritesAPairAnotherWriterAddedSinceThePortWasRead() {
    String portId = nodes.get(0).portId();
    NetworkPortState ours = neutron.port(portId);
    NetworkPortState theirs = neutron.port(portId);
    List<AddressPair> theirPairs = new ArrayList<>(theirs.allowedAddressPairs());
    theirPairs.add(AddressPair.of("10.77.0.1"));
    neutron.replaceAllowedAddressPairs(theirs, theirPairs);

    List<AddressPair> ourPairs = new ArrayList<>(ours.allowedAddressPairs());
    ourPairs.add(AddressPair.of("10.88.0.1"));
    assertThatThrownBy(() -> neutron.replaceAllowedAddressPairs(ours, ourPairs))
        .isInstanceOfSatisfying(
            StepFailure.class,
            f -> {
              assertThat(f.code()).isEqualTo("PORT_CHANGED_CONCURRENTLY");
              assertThat(f.retryable()).isTrue();
              assertThat(f.getMessage())
                  .contains(portId, "revision " + ours.revisionNumber(), "current revision");
            });
    // Read again, merge again: both writers' pairs stay.
    NetworkPortState again = neutron.port(portId);
    List<AddressPair> merged = new ArrayList<>(again.allowedAddressPairs());
    merged.add(AddressPair.of("10.88.0.1"));
    neutron.replaceAllowedAddressPairs(again, merged);
    assertThat(cloud.findPort(portId).orElseThrow().allowedAddressPairs())
        .extracting(p -> p.get("ip_address"))
        .contains("10.77.0.1", "10.88.0.1");
  }

  @Test
  void failsTerminallyNamingThePortWhenNeutronRefusesAnEleventhPair() {
    String portId = nodes.get(1).portId();
    List<AddressPair> eleven = new ArrayList<>();
    for (int i = 1; i <= 11; i++) {
      eleven.add(AddressPair.of("10.9.0." + i));
    }

    NetworkPortState read = neutron.port(portId);
    assertThatThrownBy(() -> neutron.replaceAllowedAddressPairs(read, eleven))
        .isInstanceOfSatisfying(
            StepFailure.class,
            f -> {
              assertThat(f.code()).isEqualTo("ADDRESS_PAIR_LIMIT");
              assertThat(f.retryable()).isFalse();
              assertThat(f.getMessage()).contains(portId, "maximum 10");
            });
    assertThat(cloud.findPort(portId).orElseThrow().allowedAddressPairs()).isEmpty();
  }

  @Test
  void reportsAMissingPortTerminally() {
    assertThatThrownBy(() -> neutron.port("00000000-0000-0000-0000-000000000000"))
        .isInstanceOfSatisfying(
            StepFailure.class, f -> assertThat(f.code()).isEqualTo("PORT_NOT_FOUND"));
  }

  @Test
  void failsTerminallyOnAWrongPassword() {
    Openstack4jOrchestrationAdapter wrong =
        new Openstack4jOrchestrationAdapter(
            session(cloud.identityUrl(), "wrong"), Duration.ofMinutes(5));

    assertThatThrownBy(() -> wrong.findStack("mesh-t1-east"))
        .isInstanceOfSatisfying(
            StepFailure.class,
            f -> {
              assertThat(f.code()).isEqualTo("OPENSTACK_AUTH_FAILED");
              assertThat(f.retryable()).isFalse();
              assertThat(f.getMessage()).doesNotContain("wrong");
            });
  }

  @Test
  void failsTransientlyWhenKeystoneIsUnreachable() throws IOException {
    Openstack4jOrchestrationAdapter unreachable =
        new Openstack4jOrchestrationAdapter(
            session("http://127.0.0.1:" + freePort() + "/identity/v3", PASSWORD),
            Duration.ofMinutes(5));

    assertThatThrownBy(() -> unreachable.findStack("mesh-t1-east"))
        .isInstanceOfSatisfying(StepFailure.class, f -> assertThat(f.retryable()).isTrue());
  }
}
