package io.meshorch.kit.messaging;

import io.meshorch.contracts.EventType;
import java.util.Objects;

/**
 * Which handler takes which event type, and under which stage name its failures are reported.
 *
 * @param type the incoming event type
 * @param stage the stage reported in {@code ClusterFailed} when the handler gives up
 * @param handler the application handler
 */
public record EventRoute(EventType type, String stage, EventHandler handler) {
  public EventRoute {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(handler, "handler");
  }
}
