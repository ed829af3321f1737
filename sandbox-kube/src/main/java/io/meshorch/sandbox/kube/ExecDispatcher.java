package io.meshorch.sandbox.kube;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answers {@code exec} into pods with the Kubernetes exec WebSocket protocol (channel-prefixed
 * binary frames: 1 stdout, 2 stderr, 3 status), computing the output of the command when it is
 * asked, and {@code GET /} and {@code /version} as fabric8's mock server does; everything else goes
 * to the CRUD dispatcher.
 */
final class ExecDispatcher extends Dispatcher {
  private static final Pattern EXEC =
      Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/exec\\?(.*)");

  private final Dispatcher crud;
  private final SandboxCluster cluster;
  private final SandboxKube sandbox;

  ExecDispatcher(Dispatcher crud, SandboxCluster cluster, SandboxKube sandbox) {
    this.crud = crud;
    this.cluster = cluster;
    this.sandbox = sandbox;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    if ("GET".equals(request.getMethod()) && "/".equals(request.getPath())) {
      return json("{\"paths\":[\"/api\",\"/apis/extensions\"]}");
    }
    if ("GET".equals(request.getMethod()) && "/version".equals(request.getPath())) {
      return json("{\"major\":\"0\",\"minor\":\"0\"}");
    }
    Matcher m = EXEC.matcher(request.getPath());
    if (!m.matches()) {
      return crud.dispatch(request);
    }
    String namespace = m.group(1);
    String pod = m.group(2);
    // Like the API server: exec into a missing pod is a 404 before any upgrade. The lookup goes
    // to the in-memory CRUD store directly (no HTTP round trip on the server's event loop).
    MockResponse found =
        crud.dispatch(
            new RecordedRequest(
                "HTTP/1.1",
                HttpMethod.GET,
                "/api/v1/namespaces/" + namespace + "/pods/" + pod,
                Headers.builder().build(),
                new Buffer()));
    if (found.code() == 404) {
      return new MockResponse()
          .setResponseCode(404)
          .addHeader("Content-Type", "application/json")
          .setBody(
              "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                  + "\"message\":\"pods \\\""
                  + pod
                  + "\\\" not found\",\"reason\":\"NotFound\",\"details\":{\"name\":\""
                  + pod
                  + "\",\"kind\":\"pods\"},\"code\":404}");
    }
    List<String> command = new ArrayList<>();
    for (String param : m.group(3).split("&")) {
      String[] kv = param.split("=", 2);
      if (kv[0].equals("command") && kv.length == 2) {
        command.add(URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
      }
    }
    return new MockResponse()
        .withWebSocketUpgrade(
            new WebSocketListener() {
              @Override
              public void onOpen(WebSocket ws, Response response) {
                // Answering needs API reads of this very server: never on its event loop.
                sandbox.workers().execute(() -> answer(ws, namespace, pod, command));
              }
            });
  }

  private void answer(WebSocket ws, String namespace, String pod, List<String> command) {
    CiliumAgents.Result result;
    try {
      result = sandbox.agents().exec(cluster, namespace, pod, command);
    } catch (RuntimeException e) {
      result = new CiliumAgents.Result("", "error: " + e.getMessage() + "\n", 1);
    }
    if (!result.stdout().isEmpty()) {
      ws.send(frame(1, result.stdout()));
    }
    if (!result.stderr().isEmpty()) {
      ws.send(frame(2, result.stderr()));
    }
    String status =
        result.exitCode() == 0
            ? "{\"metadata\":{},\"status\":\"Success\"}"
            : "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit code\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\""
                + result.exitCode()
                + "\"}]}}";
    ws.send(frame(3, status));
    ws.close(1000, "");
  }

  private static MockResponse json(String body) {
    return new MockResponse()
        .setResponseCode(200)
        .addHeader("Content-Type", "application/json")
        .setBody(body);
  }

  private static byte[] frame(int channel, String text) {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[body.length + 1];
    out[0] = (byte) channel;
    System.arraycopy(body, 0, out, 1, body.length);
    return out;
  }

  @Override
  public void shutdown() {
    crud.shutdown();
  }

  @Override
  public void releaseResources() {
    crud.releaseResources();
  }
}
