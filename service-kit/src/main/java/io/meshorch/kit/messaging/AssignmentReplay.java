package io.meshorch.kit.messaging;

import io.meshorch.contracts.EventEnvelope;
import java.util.List;

/**
 * State a service keeps from its input topics, rebuilt whenever partitions are assigned to it: at
 * start, and when a rebalance moves partitions here from another replica, whose records of them
 * this replica never read. The kit reads every topic once per assignment, however many replays (and
 * its own deletion guard) want it, and hands each event of {@link #topics()} to {@link #replayed}
 * on the consumer thread, before steps are resumed and records delivered. Events of different
 * topics come interleaved, and facts the state knows already come again: it must keep facts, in any
 * order. What the service published itself is an {@link io.meshorch.kit.step.OwnTopicObserver}'s.
 */
public interface AssignmentReplay {

  /** The input topics the state is made of (not the service's own topic). */
  List<String> topics();

  /** Takes one event of {@code topic}, read from the beginning of the topic, into account. */
  void replayed(String topic, EventEnvelope event);
}
