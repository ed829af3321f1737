package io.meshorch.mesh.adapter.kubernetes;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.meshorch.sandbox.kube.SandboxApiServer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes API server for tests: one API server of the sandbox ({@link SandboxApiServer}: its
 * store, server-side apply, status subresources and watches, nothing running) that also answers
 * {@code exec} into pods with the Kubernetes exec WebSocket protocol (channel-prefixed binary
 * frames: 1 stdout, 2 stderr, 3 status), from answers the test sets per pod and command.
 */
public final class AgentCluster implements AutoCloseable {
  private static final Pattern EXEC =
      Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/exec\\?(.*)");

  /** What a command prints and its exit code. */
  public record Answer(String stdout, String stderr, int exitCode) {}

  private final String name;
  private final SandboxApiServer server;
  private final KubernetesClient client;
  private final Map<String, Supplier<Answer>> answers = new ConcurrentHashMap<>();
  private final List<String> execPaths = new CopyOnWriteArrayList<>();
  private final Map<String, Duration> stalls = new ConcurrentHashMap<>();
  private final ExecutorService answering = Executors.newCachedThreadPool();

  public AgentCluster(String name) {
    this.name = name;
    this.server = SandboxApiServer.start(ExecDispatcher::new);
    this.client = server.client();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName("kube-system").endMetadata().build())
        .create();
  }

  /** An admin kubeconfig pointing at this server (what rke-service stores). */
  public String kubeconfig() {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: "%1$s"
          cluster:
            server: "%2$s"
        contexts:
        - name: "%1$s"
          context:
            user: "admin-%1$s"
            cluster: "%1$s"
        current-context: "%1$s"
        users:
        - name: "admin-%1$s"
          user:
            token: "t0ken-%1$s"
        """
        .formatted(name, server.url());
  }

  public KubernetesClient client() {
    return client;
  }

  /** Creates a pod in kube-system with label {@code k8s-app=<app>}. */
  public AgentCluster withPod(String pod, String app) {
    return withPod(pod, app, app.equals("cilium") ? "cilium-agent" : app);
  }

  /** Creates a pod in kube-system with label {@code k8s-app=<app>} and these containers. */
  public AgentCluster withPod(String pod, String app, String... containers) {
    PodBuilder builder =
        new PodBuilder()
            .withNewMetadata()
            .withName(pod)
            .withNamespace("kube-system")
            .addToLabels("k8s-app", app)
            .endMetadata()
            .withNewSpec()
            .endSpec();
    for (String container : containers) {
      builder
          .editSpec()
          .addNewContainer()
          .withName(container)
          .withImage("x")
          .endContainer()
          .endSpec();
    }
    client.pods().inNamespace("kube-system").resource(builder.build()).create();
    return this;
  }

  /** Answers {@code command} run in {@code pod} with {@code answer} (computed per exec). */
  public void answer(String pod, List<String> command, Supplier<Answer> answer) {
    answers.put(pod + " " + String.join(" ", command), answer);
  }

  /**
   * Holds the WebSocket upgrade of the next exec of {@code command} in {@code pod} for {@code
   * stall} before answering it, once: what a client sees when the upgrade does not complete
   * (fabric8io/kubernetes-client#7737). Later execs of it answer at once.
   */
  public void stallNextExec(String pod, List<String> command, Duration stall) {
    stalls.put(pod + " " + String.join(" ", command), stall);
  }

  /** The request paths of every exec received, in order. */
  public List<String> execPaths() {
    return List.copyOf(execPaths);
  }

  @Override
  public void close() {
    answering.shutdownNow();
    server.close();
  }

  private final class ExecDispatcher extends Dispatcher {
    private final Dispatcher crud;

    ExecDispatcher(Dispatcher crud) {
      this.crud = crud;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      Matcher m = EXEC.matcher(request.getPath());
      if (!m.matches()) {
        return crud.dispatch(request);
      }
      execPaths.add(request.getPath());
      String pod = m.group(2);
      List<String> command = new ArrayList<>();
      for (String param : m.group(3).split("&")) {
        String[] kv = param.split("=", 2);
        if (kv[0].equals("command") && kv.length == 2) {
          command.add(URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
      }
      String key = pod + " " + String.join(" ", command);
      Duration stall = stalls.remove(key);
      if (stall != null) {
        try {
          Thread.sleep(stall.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      Supplier<Answer> answer =
          answers.getOrDefault(key, () -> new Answer("", "unknown command\n", 127));
      return new MockResponse()
          .withWebSocketUpgrade(
              new WebSocketListener() {
                @Override
                public void onOpen(WebSocket ws, Response response) {
                  answering.execute(() -> send(ws, answer.get()));
                }
              });
    }

    private void send(WebSocket ws, Answer answer) {
      if (!answer.stdout().isEmpty()) {
        ws.send(frame(1, answer.stdout()));
      }
      if (!answer.stderr().isEmpty()) {
        ws.send(frame(2, answer.stderr()));
      }
      String status =
          answer.exitCode() == 0
              ? "{\"metadata\":{},\"status\":\"Success\"}"
              : "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with"
                  + " non-zero exit code\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":"
                  + "[{\"reason\":\"ExitCode\",\"message\":\""
                  + answer.exitCode()
                  + "\"}]}}";
      ws.send(frame(3, status));
      ws.close(1000, "");
    }

    @Override
    public void shutdown() {
      crud.shutdown();
    }
  }

  private static byte[] frame(int channel, String text) {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[body.length + 1];
    out[0] = (byte) channel;
    System.arraycopy(body, 0, out, 1, body.length);
    return out;
  }
}
