package io.meshorch.sandbox.kube.rke;

import io.meshorch.sandbox.kube.ClusterYml;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.verification.PromiscuousVerifier;
import net.schmizz.sshj.userauth.UserAuthException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code rke up} does first on every node of {@code cluster.yml}: log in over SSH as the
 * node's {@code user} with its {@code ssh_key_path} (RKE does not check host keys), and reach the
 * Docker daemon as that user (RKE asks the socket for {@code /info}; the stand-in runs {@code
 * docker info}, which goes to the same socket with the same rights). A host that fails is dropped
 * with RKE's warnings; the run fails like RKE when no etcd or no control-plane host is left. As
 * RKE's Go client, it logs into the nodes at the same time, and its connections send without
 * Nagle's delay ({@code TCP_NODELAY}, Go's default on every TCP connection).
 *
 * <p>RKE's words, from its {@code hosts/dialer.go} and {@code cluster/hosts.go}: {@code Failed to
 * set up SSH tunneling for host [h]: Can't retrieve Docker Info: error during connect: Get
 * "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/info": Unable to access the Docker socket
 * (/var/run/docker.sock). Please check if the configured user can execute `docker ps` on the node,
 * …}, {@code Removing host [h] from node lists}, {@code Cluster must have at least one etcd plane
 * host: failed to connect to the following etcd host(s) [h]}.
 */
public final class RkeNodeLogin {
  private static final Logger log = LoggerFactory.getLogger(RkeNodeLogin.class);

  private static final String INFO_URL = "\"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/info\"";

  /** RKE's text when the user cannot use the node's Docker socket. */
  static final String SOCKET_DENIED =
      "Unable to access the Docker socket (/var/run/docker.sock). Please check if the configured"
          + " user can execute `docker ps` on the node, and if the SSH server version is at least"
          + " version 6.7 or higher. If you are using RedHat/CentOS, you can't use the user"
          + " `root`. Please refer to the documentation for more instructions. Error: ssh:"
          + " rejected: administratively prohibited (open failed)";

  /**
   * What the logins found.
   *
   * @param usable the file with the hosts that passed (RKE goes on with them)
   * @param log RKE's warning lines, one per failed host and its removal
   * @param fatal RKE's fatal error when no etcd or control-plane host is left; null otherwise
   */
  public record Result(ClusterYml usable, List<String> log, String fatal) {
    /** The lines {@code rke up} prints for the failure: the warnings, then {@code FATA}. */
    public String report() {
      List<String> lines = new ArrayList<>(log);
      lines.add("FATA[0000] " + fatal);
      return String.join("\n", lines);
    }
  }

  /** The logins under way, of every run: a thread per login, none kept idle for long. */
  private static final ExecutorService LOGINS =
      new ThreadPoolExecutor(
          0,
          Integer.MAX_VALUE,
          5,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          r -> {
            Thread t = new Thread(r, "sandbox-rke-login");
            t.setDaemon(true);
            return t;
          });

  private RkeNodeLogin() {}

  /**
   * A client as RKE's: no host key checked (RKE takes none from cluster.yml; the product pins and
   * verifies every node's host key itself, in rke-service's node checks, before it runs rke), and
   * {@code TCP_NODELAY} set before the first byte of the handshake (sshj leaves it off, and each
   * small packet would wait for the peer's delayed acknowledgement).
   */
  static SSHClient client(Duration timeout) {
    SSHClient ssh =
        new SSHClient() {
          @Override
          protected void onConnect() throws IOException {
            getSocket().setTcpNoDelay(true);
            super.onConnect();
          }
        };
    ssh.addHostKeyVerifier(new PromiscuousVerifier());
    ssh.setConnectTimeout((int) timeout.toMillis());
    ssh.setTimeout((int) timeout.toMillis());
    return ssh;
  }

  /**
   * Logs into every node of {@code spec} that {@code reachable} accepts (the sandbox's VMs; other
   * addresses are only named in its log) and checks its Docker access.
   *
   * @param timeout connect and command timeout per node
   */
  public static Result check(ClusterYml spec, Predicate<String> reachable, Duration timeout) {
    // Every login at once (RKE dials its hosts concurrently), read in node order.
    List<CompletableFuture<String>> problems = new ArrayList<>();
    for (ClusterYml.Node node : spec.nodes()) {
      problems.add(
          reachable.test(node.address())
              ? CompletableFuture.supplyAsync(() -> problem(node, timeout), LOGINS)
              : null);
    }
    List<ClusterYml.Node> kept = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    List<String> etcdFailed = new ArrayList<>();
    List<String> controlFailed = new ArrayList<>();
    for (int i = 0; i < spec.nodes().size(); i++) {
      ClusterYml.Node node = spec.nodes().get(i);
      if (problems.get(i) == null) {
        log.info("rke up: {} is no sandbox VM, its login is not checked", node.address());
        kept.add(node);
        continue;
      }
      String problem = joined(problems.get(i));
      if (problem == null) {
        kept.add(node);
        continue;
      }
      lines.add(
          "WARN[0000] Failed to set up SSH tunneling for host ["
              + node.address()
              + "]: Can't retrieve Docker Info: error during connect: Get "
              + INFO_URL
              + ": "
              + problem);
      lines.add("WARN[0000] Removing host [" + node.address() + "] from node lists");
      if (node.roles().contains("etcd")) {
        etcdFailed.add(node.address());
      }
      if (node.roles().contains("controlplane")) {
        controlFailed.add(node.address());
      }
    }
    String fatal = null;
    if (kept.stream().noneMatch(n -> n.roles().contains("etcd"))) {
      fatal =
          "Cluster must have at least one etcd plane host: failed to connect to the following etcd"
              + " host(s) "
              + etcdFailed;
    } else if (kept.stream().noneMatch(n -> n.roles().contains("controlplane"))) {
      fatal =
          "Cluster must have at least one control plane host: failed to connect to the following"
              + " control plane host(s) "
              + controlFailed;
    }
    return new Result(spec.withNodes(kept), List.copyOf(lines), fatal);
  }

  private static String joined(CompletableFuture<String> problem) {
    try {
      return problem.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /** Why RKE could not use the node, in its words; null when it could. */
  private static String problem(ClusterYml.Node node, Duration timeout) {
    String address = node.address() + ":" + node.port();
    try (SSHClient ssh = client(timeout)) {
      ssh.connect(node.address(), node.port());
      try {
        ssh.authPublickey(node.user(), ssh.loadKeys(node.sshKeyPath().toString()));
      } catch (UserAuthException e) {
        return "Failed to dial ssh using address ["
            + address
            + "]: ssh: handshake failed: ssh: unable to authenticate, attempted methods [none"
            + " publickey], no supported methods remain";
      }
      try (Session session = ssh.startSession()) {
        Session.Command cmd = session.exec("docker info");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        cmd.getInputStream().transferTo(OutputSink.INSTANCE);
        cmd.getErrorStream().transferTo(err);
        cmd.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Integer exit = cmd.getExitStatus();
        if (exit != null && exit == 0) {
          return null;
        }
        String said = err.toString(StandardCharsets.UTF_8);
        if (said.contains("permission denied")) {
          return SOCKET_DENIED;
        }
        return "Unable to access the service on /var/run/docker.sock. The service might be still"
            + " starting up. Error: ssh: rejected: connect failed (Connection refused)";
      }
    } catch (IOException e) {
      return "Failed to dial ssh using address [" + address + "]: dial tcp " + address + ": " + e;
    }
  }

  /** Discards what it is given. */
  private static final class OutputSink extends java.io.OutputStream {
    static final OutputSink INSTANCE = new OutputSink();

    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b, int off, int len) {}
  }
}
