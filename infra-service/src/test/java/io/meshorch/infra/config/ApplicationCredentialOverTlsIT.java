package io.meshorch.infra.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meshorch.infra.adapter.openstack.Openstack4jNetworkAdapter;
import io.meshorch.infra.adapter.openstack.Openstack4jOrchestrationAdapter;
import io.meshorch.infra.adapter.openstack.OpenstackSession;
import io.meshorch.infra.domain.AddressPair;
import io.meshorch.infra.domain.ClusterStack;
import io.meshorch.infra.domain.HeatTemplate;
import io.meshorch.infra.domain.StackNode;
import io.meshorch.infra.domain.StackOutputs;
import io.meshorch.infra.domain.StackState;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.sandbox.openstack.SandboxCloud;
import io.meshorch.testkit.Samples;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The credentials operators have, end to end through the service's own wiring (clouds.yaml +
 * secure.yaml → {@link CloudCredentialsSource} → {@link OpenstackSession} → the adapters), against
 * the sandbox cloud serving HTTPS with a private CA and holding an application credential.
 */
class ApplicationCredentialOverTlsIT {
  private static final String SECRET = "app-cred-s3cret";
  @TempDir static Path dir;
  private static SandboxCloud cloud;
  private static Path caFile;

  @BeforeAll
  static void start() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    cloud =
        SandboxCloud.builder()
            .https()
            .applicationCredential("mesh-bot", SECRET)
            .stackCreateDelay(Duration.ofMillis(100))
            .vmBootDelay(Duration.ofMillis(100))
            .vmSubnet("127.12.0.0/16")
            .vmSshPort(freePort())
            .keypair("mesh", PublicKeyEntry.toString(generator.generateKeyPair().getPublic()))
            .build()
            .start();
    caFile = Files.writeString(dir.resolve("sandbox-ca.pem"), cloud.caCertificatePem());
  }

  @AfterAll
  static void stop() {
    cloud.close();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** A session reading {@code cloudsYaml} (cloud {@code sandbox}) and, if given, a secure.yaml. */
  private static OpenstackSession session(String name, String cloudsYaml, String secureYaml)
      throws IOException {
    Path clouds = Files.writeString(dir.resolve(name + "-clouds.yaml"), cloudsYaml);
    Path secure =
        secureYaml == null
            ? null
            : Files.writeString(dir.resolve(name + "-secure.yaml"), secureYaml);
    OpenstackProperties props =
        new OpenstackProperties(
            clouds.toString(),
            secure == null ? null : secure.toString(),
            "sandbox",
            Duration.ofSeconds(2),
            Duration.ofSeconds(10),
            Duration.ofMinutes(5),
            0,
            10,
            0,
            10);
    return new OpenstackSession(
        new CloudCredentialsSource(props, Map.of(), List.of()),
        props.connectTimeout(),
        props.readTimeout(),
        props.tokenRefreshMargin());
  }

  private static String byId(String tlsLines) {
    return "clouds:\n"
        + "  sandbox:\n"
        + "    auth_type: v3applicationcredential\n"
        + "    auth:\n"
        + "      auth_url: "
        + cloud.identityUrl()
        + "\n"
        + "      application_credential_id: "
        + cloud.applicationCredentialId("mesh-bot")
        + "\n"
        + "      application_credential_secret: placeholder-overridden-by-secure-yaml\n"
        + "    region_name: RegionOne\n"
        + tlsLines;
  }

  private static final String SECURE =
      "clouds:\n  sandbox:\n    auth:\n      application_credential_secret: " + SECRET + "\n";

  @Test
  void buildsAStackAndWritesAPortWithAnApplicationCredentialOverHttpsWithCacert() throws Exception {
    OpenstackSession session = session("byid", byId("    cacert: " + caFile + "\n"), SECURE);
    Openstack4jOrchestrationAdapter heat =
        new Openstack4jOrchestrationAdapter(session, Duration.ofMinutes(5));
    Openstack4jNetworkAdapter neutron = new Openstack4jNetworkAdapter(session);
    ClusterStack names = new ClusterStack("tls", "east");

    heat.createStack(
        names.stackName(),
        HeatTemplate.render(names, Samples.cluster("east", 1, 1)),
        List.of(names.meshTag()));
    StackState done =
        await()
            .atMost(Duration.ofSeconds(15))
            .until(() -> heat.findStack(names.stackName()).orElseThrow(), s -> !s.inProgress());
    StackNode node = StackOutputs.nodes(done.outputs(), 1).get(0);
    neutron.replaceAllowedAddressPairs(
        neutron.port(node.portId()), List.of(new AddressPair("10.9.9.9", null)));

    assertThat(done.status()).isEqualTo("CREATE_COMPLETE");
    assertThat(neutron.port(node.portId()).allowedAddressPairs())
        .extracting(AddressPair::ipAddress)
        .containsExactly("10.9.9.9");
  }

  @Test
  void authenticatesWithAnApplicationCredentialByNameAndItsOwner() throws Exception {
    String yaml =
        "clouds:\n"
            + "  sandbox:\n"
            + "    auth_type: v3applicationcredential\n"
            + "    auth:\n"
            + "      auth_url: "
            + cloud.identityUrl()
            + "\n"
            + "      application_credential_name: mesh-bot\n"
            + "      application_credential_secret: "
            + SECRET
            + "\n"
            + "      username: demo\n"
            + "      user_domain_name: Default\n"
            + "    cacert: "
            + caFile
            + "\n";
    OpenstackSession session = session("byname", yaml, null);

    assertThat(new Openstack4jNetworkAdapter(session).subnetCidrs("mesh-net"))
        .containsExactly("127.12.0.0/16");
  }

  @Test
  void failsWithATlsErrorNamingTheCloudAndCacertWhenTheCaIsNotGiven() throws Exception {
    OpenstackSession session = session("noca", byId(""), SECURE);

    assertThatThrownBy(
            () ->
                new Openstack4jOrchestrationAdapter(session, Duration.ofMinutes(5)).findStack("x"))
        .isInstanceOfSatisfying(
            StepFailure.class,
            f -> {
              assertThat(f.code()).isEqualTo("OPENSTACK_TLS_FAILED");
              assertThat(f.retryable()).isFalse();
            })
        .hasMessageContaining("TLS handshake failed for cloud")
        .hasMessageContaining("(cloud sandbox)")
        .hasMessageContaining("set cacert");
  }

  @Test
  void aWrongSecretIsATerminalAuthFailureThatNeverShowsTheSecret() throws Exception {
    String wrong = SECURE.replace(SECRET, "not-the-secret");
    OpenstackSession session = session("wrong", byId("    cacert: " + caFile + "\n"), wrong);

    assertThatThrownBy(() -> new Openstack4jNetworkAdapter(session).subnetCidrs("mesh-net"))
        .isInstanceOfSatisfying(
            StepFailure.class,
            f -> {
              assertThat(f.code()).isEqualTo("OPENSTACK_AUTH_FAILED");
              assertThat(f.retryable()).isFalse();
            })
        .hasMessageContaining(
            "Keystone refused the application credential (401: The request you have made requires"
                + " authentication.)")
        .hasMessageNotContaining("not-the-secret");
  }

  @Test
  void namesCacertWhenItsFileIsMissingOrHoldsNoCertificate() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");
    OpenstackSession missing =
        session("missing", byId("    cacert: " + dir.resolve("nope.pem") + "\n"), SECURE);
    OpenstackSession noCert = session("nocert", byId("    cacert: " + empty + "\n"), SECURE);

    assertThatThrownBy(() -> new Openstack4jNetworkAdapter(missing).subnetCidrs("mesh-net"))
        .isInstanceOfSatisfying(
            StepFailure.class, f -> assertThat(f.code()).isEqualTo("OPENSTACK_CONFIG_INVALID"))
        .hasMessageContaining("clouds.sandbox.cacert names " + dir.resolve("nope.pem"))
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> new Openstack4jNetworkAdapter(noCert).subnetCidrs("mesh-net"))
        .isInstanceOfSatisfying(
            StepFailure.class, f -> assertThat(f.code()).isEqualTo("OPENSTACK_CONFIG_INVALID"))
        .hasMessageContaining("clouds.sandbox.cacert")
        .hasMessageContaining("holds no");
  }

  @Test
  void reachesTheCloudWithoutItsCaOnlyWhenVerifyIsOff() throws Exception {
    OpenstackSession session = session("insecure", byId("    verify: false\n"), SECURE);

    assertThat(new Openstack4jNetworkAdapter(session).subnetCidrs("mesh-net"))
        .containsExactly("127.12.0.0/16");
  }

  @Test
  void authenticatesWithAPasswordOverHttpsWithCacertToo() throws Exception {
    String yaml =
        "clouds:\n"
            + "  sandbox:\n"
            + "    auth:\n"
            + "      auth_url: "
            + cloud.identityUrl()
            + "\n"
            + "      username: demo\n"
            + "      password: sandbox\n"
            + "      project_name: demo\n"
            + "    cacert: "
            + caFile
            + "\n";
    OpenstackSession session = session("password", yaml, null);

    assertThat(new Openstack4jNetworkAdapter(session).subnetCidrs("mesh-net"))
        .containsExactly("127.12.0.0/16");
  }
}
