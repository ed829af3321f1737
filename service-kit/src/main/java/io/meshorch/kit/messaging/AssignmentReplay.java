package io.meshorch.kit.messaging;

/**
 * State a service keeps from its input topics (beyond its own topic, which the kit replays into the
 * step journal), rebuilt whenever partitions are assigned to it: at start, and when a rebalance
 * moves partitions here from another replica, whose records of them this replica never read. Called
 * on the consumer thread before steps are resumed and records delivered; must take repetitions
 * (facts it knows already) in its stride.
 */
@FunctionalInterface
public interface AssignmentReplay {

  /** Rebuilds the state, typically with {@link TopicReplayer#replay}. */
  void partitionsAssigned();
}
