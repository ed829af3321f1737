package io.meshorch.kit.step;

import io.meshorch.contracts.EventEnvelope;

/**
 * A service's memory of what it published (e.g. which clusters of a mesh it built, which pairs it
 * added), fed like the {@link StepJournal}: live by the publisher and by every replay of the own
 * topic when partitions are assigned. So it survives restarts the way steps do. It sees events
 * again on each replay, so it must keep facts (sets, latest by time), never counts. A Spring bean
 * of this type is picked up by the kit's auto-configuration.
 */
@FunctionalInterface
public interface OwnTopicObserver {

  /** Takes one event this service published into account. Fast, never throws. */
  void observe(EventEnvelope published);
}
