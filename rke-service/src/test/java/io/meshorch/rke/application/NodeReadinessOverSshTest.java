package io.meshorch.rke.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.VmsReady;
import io.meshorch.kit.step.StepDriver;
import io.meshorch.rke.adapter.ssh.SshjRemoteShell;
import io.meshorch.rke.domain.HostKeyTrust;
import io.meshorch.rke.domain.SshTarget;
import io.meshorch.rke.support.TestVm;
import io.meshorch.testkit.Samples;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A round of node checks over real SSH (sshj against MINA daemons): the nodes are checked at the
 * same time, so a node whose connection hangs (a VM frozen or rebooting under cloud-init, sshd
 * accepting but not answering) holds up no other node's readiness for its timeout.
 */
class NodeReadinessOverSshTest {
  private static final Duration HANG = Duration.ofSeconds(20);

  @TempDir Path dir;
  private final ExecutorService probes = Executors.newFixedThreadPool(4);
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws IOException {
    probes.shutdownNow();
    for (Socket s : accepted) {
      s.close();
    }
  }

  /** A listener that accepts connections and never sends the SSH banner. */
  private ServerSocket hungNode() throws IOException {
    ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  accepted.add(listener.accept());
                }
              } catch (IOException closed) {
                // the test is over
              }
            },
            "hung-node");
    acceptor.setDaemon(true);
    acceptor.start();
    return listener;
  }

  /** Reads what the peer sent (sshj's own banner) until it pauses: false at end of stream. */
  private static boolean openByThePeer(Socket socket) throws IOException {
    socket.setSoTimeout(200);
    byte[] buffer = new byte[256];
    try {
      while (true) {
        if (socket.getInputStream().read(buffer) < 0) {
          return false;
        }
      }
    } catch (SocketTimeoutException paused) {
      return true;
    }
  }

  private static SshTarget node(String name, int port, String fingerprint) {
    return new SshTarget(
        name, "127.0.0.1", port, "ubuntu", new HostKeyTrust.Pinned(List.of(fingerprint)));
  }

  private static StepDriver ctx() {
    EventEnvelope event =
        EventEnvelope.create(
            "demo",
            "east",
            UUID.randomUUID(),
            "infra-service",
            new VmsReady(Samples.cluster("east", 1, 2), "stack", List.of()));
    return new StepDriver(event, "kubernetes");
  }

  @Test
  void aNodeWhoseConnectionHangsHoldsUpNoOtherNode() throws Exception {
    KeyPair user = TestVm.newKey();
    try (TestVm ready = TestVm.start("127.0.0.1", 0, user.getPublic());
        ServerSocket hung = hungNode()) {
      SshjRemoteShell shell =
          new SshjRemoteShell(TestVm.writePrivateKey(user, dir.resolve("id")), HANG);
      NodeReadiness nodes =
          new NodeReadiness(
              List.of(
                  // first in node order: checked one after another, it held up the second
                  node("node-0", hung.getLocalPort(), "SHA256:" + "x".repeat(43)),
                  node("node-1", ready.port(), ready.fingerprint())),
              shell,
              HANG,
              true,
              probes);
      StepDriver ctx = ctx();

      assertThat(nodes.look(ctx)).isEqualTo(NodeReadiness.Look.CHECKING);
      await()
          .pollInSameThread()
          .atMost(HANG.dividedBy(2))
          .until(
              () -> {
                nodes.look(ctx);
                return ctx.progress().contains("node node-1 ready (docker 24.0.9)");
              });

      // node-0's check is still under way: its connection is open, the round not over
      assertThat(accepted).hasSize(1);
      assertThat(openByThePeer(accepted.get(0)))
          .as("sshj still waits for the node's banner")
          .isTrue();
      assertThat(nodes.look(ctx)).isEqualTo(NodeReadiness.Look.CHECKING);
      assertThat(nodes.status()).isEqualTo("1 of 2 node(s) not ready: node-0: not checked yet");
      assertThat(ctx.nudges()).as("the ended check nudged the step").isEqualTo(1);
    }
  }

  @Test
  void aRoundEndsWhenItsLastCheckEndsAndTheNextLooksOnlyAtNodesNotReady() throws Exception {
    KeyPair user = TestVm.newKey();
    try (TestVm booted = TestVm.start("127.0.0.1", 0, user.getPublic());
        TestVm booting =
            TestVm.start("127.0.0.1", 0, user.getPublic(), TestVm.newKey(), Duration.ofHours(1))) {
      SshjRemoteShell shell =
          new SshjRemoteShell(
              TestVm.writePrivateKey(user, dir.resolve("id")), Duration.ofSeconds(5));
      NodeReadiness nodes =
          new NodeReadiness(
              List.of(
                  node("node-0", booted.port(), booted.fingerprint()),
                  node("node-1", booting.port(), booting.fingerprint())),
              shell,
              Duration.ofSeconds(5),
              true,
              probes);
      StepDriver ctx = ctx();

      assertThat(nodes.look(ctx)).isEqualTo(NodeReadiness.Look.CHECKING);
      NodeReadiness.Look end =
          await()
              .pollInSameThread()
              .atMost(Duration.ofSeconds(10))
              .until(() -> nodes.look(ctx), look -> look != NodeReadiness.Look.CHECKING);
      assertThat(end).isEqualTo(NodeReadiness.Look.ROUND_DONE);
      assertThat(nodes.status())
          .isEqualTo("1 of 2 node(s) not ready: node-1: cloud-init: status: running");

      // the next look starts a round with node-1 alone
      assertThat(nodes.look(ctx)).isEqualTo(NodeReadiness.Look.CHECKING);
      await()
          .pollInSameThread()
          .atMost(Duration.ofSeconds(10))
          .until(() -> nodes.look(ctx), look -> look != NodeReadiness.Look.CHECKING);
      assertThat(booted.connections()).isEqualTo(1);
      assertThat(booting.connections()).isEqualTo(2);
    }
  }
}
