package io.meshorch.kit.step;

import io.meshorch.contracts.EventType;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/** The route table of a service: which {@link StepRoute} takes which event type. */
public final class StepRoutes {
  private final Map<EventType, StepRoute> byType = new EnumMap<>(EventType.class);

  /**
   * @throws IllegalArgumentException when two routes take the same type
   */
  public StepRoutes(Collection<? extends StepRoute> routes) {
    for (StepRoute route : routes) {
      StepRoute other = byType.putIfAbsent(route.type(), route);
      if (other != null) {
        throw new IllegalArgumentException(
            "two routes take " + route.type().wireName() + ": " + other + " and " + route);
      }
    }
  }

  /** The route of {@code type}, if this service takes it. */
  public Optional<StepRoute> find(EventType type) {
    return Optional.ofNullable(byType.get(type));
  }
}
