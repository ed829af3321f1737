package io.meshorch.meshctl.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code <data-dir>/serve.json}: where a running {@code meshctl serve} is. {@code serve} writes it
 * once its platform is ready and deletes it when it stops; the other commands {@link #find find} it
 * to act as clients of that platform instead of starting local mode for one command.
 *
 * @param bootstrapServers the embedded broker's {@code host:port}
 * @param pid the process id of the {@code serve} JVM
 * @param startedAt when it became ready
 * @param log the file the services and the sandbox log to
 * @param dataDir the data folder it serves
 */
public record ServeFile(
    String bootstrapServers, long pid, Instant startedAt, Path log, Path dataDir) {
  /** The file's name in the data folder. */
  public static final String NAME = "serve.json";

  /** How long a client waits for the broker named in the file to answer. */
  public static final Duration BROKER_TIMEOUT = Duration.ofSeconds(10);

  /** How long a client waits for a TCP connection to the broker, before asking it anything. */
  private static final int CONNECT_TIMEOUT_MS = 1000;

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The file of {@code dataDir}. */
  public static Path path(Path dataDir) {
    return dataDir.toAbsolutePath().resolve(NAME);
  }

  /**
   * Writes the file into {@link #dataDir()}, whole or not at all (a temporary file renamed), so
   * that a client never reads half of it.
   */
  public void write() {
    Path file = path(dataDir);
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("bootstrapServers", bootstrapServers);
    fields.put("pid", pid);
    fields.put("startedAt", startedAt.toString());
    fields.put("log", log.toString());
    fields.put("dataDir", dataDir.toAbsolutePath().toString());
    try {
      Path tmp = file.resolveSibling(NAME + "." + pid + ".tmp");
      Files.writeString(
          tmp,
          JSON.writerWithDefaultPrettyPrinter().writeValueAsString(fields) + "\n",
          StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Deletes the file of {@code dataDir} (nothing happens when there is none). */
  public static void delete(Path dataDir) {
    try {
      Files.deleteIfExists(path(dataDir));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + path(dataDir), e);
    }
  }

  /**
   * Reads the file of {@code dataDir}.
   *
   * @throws IOException when it is missing, unreadable or not a serve file
   */
  public static ServeFile read(Path dataDir) throws IOException {
    Path file = path(dataDir);
    try {
      JsonNode node = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
      return new ServeFile(
          required(node, "bootstrapServers").asString(),
          Long.parseLong(required(node, "pid").asString()),
          Instant.parse(required(node, "startedAt").asString()),
          Path.of(required(node, "log").asString()),
          Path.of(required(node, "dataDir").asString()));
    } catch (RuntimeException e) {
      throw new IOException("not a serve file: " + e.getMessage(), e);
    }
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("no " + field);
    }
    return value;
  }

  /**
   * What the file of {@code dataDir} says, checked: the process must be alive and its broker must
   * answer within {@link #BROKER_TIMEOUT}.
   */
  public static ServeLookup find(Path dataDir) {
    return find(dataDir, ServeFile::processAlive, ServeFile::brokerAnswers);
  }

  /**
   * {@link #find(Path)} with the checks given: {@code alive} of a pid, {@code answers} of a
   * bootstrap address.
   */
  public static ServeLookup find(Path dataDir, LongPredicate alive, Predicate<String> answers) {
    Path file = path(dataDir);
    if (!Files.exists(file)) {
      return new ServeLookup.Absent();
    }
    ServeFile serve;
    try {
      serve = read(dataDir);
    } catch (IOException e) {
      return new ServeLookup.Stale(file, "cannot read it (" + e.getMessage() + ")");
    }
    if (!alive.test(serve.pid())) {
      return new ServeLookup.Stale(file, "process " + serve.pid() + " is not running");
    }
    if (!answers.test(serve.bootstrapServers())) {
      return new ServeLookup.Stale(
          file,
          "the broker at "
              + serve.bootstrapServers()
              + " of process "
              + serve.pid()
              + " does not answer within "
              + BROKER_TIMEOUT.toSeconds()
              + " s");
    }
    return new ServeLookup.Running(serve);
  }

  /** Whether a process with {@code pid} runs on this host. */
  public static boolean processAlive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Whether a Kafka broker at {@code bootstrapServers} answers within {@link #BROKER_TIMEOUT}. */
  public static boolean brokerAnswers(String bootstrapServers) {
    // A port nobody listens on is told at once; the Kafka request then proves it is the broker and
    // that it serves (its bound allows for a client JVM that starts on a busy machine).
    if (!accepts(bootstrapServers)) {
      return false;
    }
    int timeoutMs = (int) BROKER_TIMEOUT.toMillis();
    Map<String, Object> config =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            timeoutMs,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
            timeoutMs,
            AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG,
            1000L,
            AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG,
            1000L,
            AdminClientConfig.CLIENT_ID_CONFIG,
            "meshctl-serve-probe");
    try (Admin admin = Admin.create(config)) {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
          .clusterId()
          .get(timeoutMs + 500L, TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      return false;
    }
  }

  private static boolean accepts(String bootstrapServers) {
    String first = bootstrapServers.split(",")[0].trim();
    int colon = first.lastIndexOf(':');
    if (colon < 0) {
      return false;
    }
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(
              first.substring(0, colon), Integer.parseInt(first.substring(colon + 1))),
          CONNECT_TIMEOUT_MS);
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
