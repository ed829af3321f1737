package io.meshorch.dashboard.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.Stage;
import io.meshorch.dashboard.view.MeshBoard;
import io.meshorch.testkit.Samples;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

class MeshStreamTest {
  private static final Duration PUSH = Duration.ofMillis(10);

  /**
   * A mesh that fails while a browser's stream opens: the failure is in the stream's snapshot or
   * pushed after it, never in neither (else the page would show the mesh running for good). Here it
   * fails just after the snapshot was read, and the pusher gets time to push it meanwhile.
   */
  @Test
  void aChangeWhileAStreamOpensReachesIt() {
    MeshBoard board = new MeshBoard();
    board.apply(event(new MeshRequested(List.of(Samples.cluster("east", 1, 1)))));
    MeshStream[] stream = new MeshStream[1];
    JsonMapper failsTheMeshAsTheSnapshotIsWritten =
        new JsonMapper() {
          private boolean once;

          @Override
          public String writeValueAsString(Object value) {
            if (value instanceof Map<?, ?> && !once) {
              once = true;
              board.apply(
                  event(
                      new MeshFailed(Stage.VMS, "east", "NETWORK_NOT_FOUND", "no network", false)));
              stream[0].changed("demo");
              sleep(PUSH.multipliedBy(20));
            }
            return super.writeValueAsString(value);
          }
        };
    stream[0] =
        new MeshStream(
            board,
            failsTheMeshAsTheSnapshotIsWritten,
            PUSH,
            Duration.ofMinutes(1),
            Duration.ofMinutes(1));
    try {
      Capture browser = new Capture();
      stream[0].open(browser);

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(browser.sent)
                      .as("what the browser received")
                      .anyMatch(data -> data.contains("NETWORK_NOT_FOUND")));
    } finally {
      stream[0].close();
    }
  }

  /** An emitter that keeps what is sent on it, as a browser would read it. */
  private static final class Capture extends SseEmitter {
    final List<String> sent = new CopyOnWriteArrayList<>();

    @Override
    public void send(SseEventBuilder event) {
      sent.add(
          event.build().stream()
              .map(part -> String.valueOf(part.getData()))
              .collect(Collectors.joining()));
    }
  }

  private static EventEnvelope event(MeshEvent payload) {
    return EventEnvelope.create("demo", null, null, "test", payload);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
