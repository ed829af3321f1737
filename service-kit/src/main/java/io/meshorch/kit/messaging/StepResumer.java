package io.meshorch.kit.messaging;

import io.meshorch.contracts.EventCodec;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.StepStarted;
import io.meshorch.contracts.Topics;
import io.meshorch.kit.step.DeletionRequests;
import io.meshorch.kit.step.Plan;
import io.meshorch.kit.step.StepEngine;
import io.meshorch.kit.step.StepJournal;
import io.meshorch.kit.step.StepRoute;
import io.meshorch.kit.step.StepRoutes;
import io.meshorch.kit.step.TriggerRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;

/**
 * Keeps the steps of a service with the owner of their triggers' partitions. When partitions are
 * assigned (at start, or after a rebalance), it replays the service's own topic into the {@link
 * StepJournal}, reads again the trigger of every step started on those partitions without an
 * outcome, and runs the step again: steps converge, so a resumed step finishes what the previous
 * run began without repeating it. It first replays {@code mesh.requests} into the {@link
 * DeletionRequests} and the input topics of the service's {@link AssignmentReplay}s into them (each
 * topic read once), so that they rebuild what they keep: a step of a building route whose cluster
 * has been deleted since is resumed only to be cancelled (it is answered, never run again). Steps
 * of partitions this consumer no longer owns are stopped, not failed: their new owner resumes them.
 */
public final class StepResumer implements ConsumerAwareRebalanceListener {
  private static final Logger log = LoggerFactory.getLogger(StepResumer.class);

  private final TopicReplayer replayer;
  private final EventCodec codec;
  private final StepRoutes routes;
  private final StepJournal journal;
  private final StepEngine engine;
  private final DeletionRequests deletions;
  private final List<AssignmentReplay> replays;
  private final String ownTopic;
  private final Duration timeout;
  private final Set<TopicPartition> owned = ConcurrentHashMap.newKeySet();

  public StepResumer(
      TopicReplayer replayer,
      EventCodec codec,
      StepRoutes routes,
      StepJournal journal,
      StepEngine engine,
      DeletionRequests deletions,
      List<AssignmentReplay> replays,
      String ownTopic,
      Duration timeout) {
    this.replayer = replayer;
    this.codec = codec;
    this.routes = routes;
    this.journal = journal;
    this.engine = engine;
    this.deletions = deletions;
    this.replays = List.copyOf(replays);
    this.ownTopic = ownTopic;
    this.timeout = timeout;
  }

  @Override
  public void onPartitionsRevokedAfterCommit(
      Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    // Steps keep running until the next assignment shows whether the partitions come back (an
    // eager rebalance revokes everything first); a stop of the service stops them anyway.
    owned.removeAll(partitions);
  }

  @Override
  public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    owned.removeAll(partitions);
    engine.stopUnless(ref -> owned.contains(new TopicPartition(ref.topic(), ref.partition())));
  }

  @Override
  public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    owned.addAll(partitions);
    engine.stopUnless(ref -> owned.contains(new TopicPartition(ref.topic(), ref.partition())));
    if (partitions.isEmpty()) {
      return;
    }
    replayer.replay(List.of(ownTopic), timeout, journal::record);
    // Each input topic once, however many want it: the deletion guard and the service's replays.
    Set<String> inputs = new LinkedHashSet<>();
    inputs.add(Topics.REQUESTS);
    replays.forEach(r -> inputs.addAll(r.topics()));
    inputs.remove(ownTopic);
    replayer.replay(
        inputs,
        timeout,
        (topic, event) -> {
          if (topic.equals(Topics.REQUESTS)) {
            deletions.record(event);
          }
          for (AssignmentReplay replay : replays) {
            if (replay.topics().contains(topic)) {
              replay.replayed(topic, event);
            }
          }
        });
    resume(partitions);
  }

  /** Runs again the unfinished steps whose triggers are on {@code partitions}. */
  void resume(Collection<TopicPartition> partitions) {
    List<StepJournal.Started> todo = new ArrayList<>();
    for (StepJournal.Started started : journal.unfinished()) {
      StepStarted s = started.event();
      if (partitions.contains(new TopicPartition(s.triggerTopic(), s.triggerPartition()))
          && !engine.active(started.key())) {
        todo.add(started);
      }
    }
    if (todo.isEmpty()) {
      return;
    }
    List<TriggerRef> refs = todo.stream().map(StepResumer::ref).distinct().toList();
    Map<TriggerRef, byte[]> triggers = replayer.read(refs, timeout);
    int resumed = 0;
    for (StepJournal.Started started : todo) {
      TriggerRef ref = ref(started);
      byte[] value = triggers.get(ref);
      if (value == null) {
        log.error(
            "cannot resume step {}: its trigger {} is gone (retention?); run the request again",
            started.key(),
            ref);
        continue;
      }
      if (resume(started, ref, codec.decode(value))) {
        resumed++;
      }
    }
    log.info("resumed {} of {} unfinished step(s)", resumed, todo.size());
  }

  private boolean resume(StepJournal.Started started, TriggerRef ref, EventEnvelope trigger) {
    Optional<StepRoute> route = routes.find(trigger.eventType());
    if (route.isEmpty()) {
      log.error("cannot resume step {}: no route takes {} any more", started.key(), trigger.type());
      return false;
    }
    if (!(route.get().plan(trigger) instanceof Plan.Steps steps)) {
      log.warn("step {} is no longer planned for {}; not resumed", started.key(), trigger.type());
      return false;
    }
    for (Plan.Planned planned : steps.steps()) {
      if (planned.key().equals(started.key())) {
        if (route.get().builds()
            && deletions.stops(trigger.meshId(), started.key().cluster(), trigger.occurredAt())) {
          log.info(
              "{} step {}: its cluster is being deleted or was deleted since, answering it as cancelled",
              route.get().stage(),
              started.key());
          return engine.start(
              route.get(), trigger, planned, ref, DeletionRequests.reason(trigger.meshId()));
        }
        StepJournal.Waiting waiting = journal.waiting(started.key()).orElse(null);
        log.info(
            "resuming {} step {} from {}{}",
            route.get().stage(),
            started.key(),
            ref,
            waiting == null ? "" : ", waiting for " + waiting.name() + " since " + waiting.since());
        return engine.start(route.get(), trigger, planned, ref, null, waiting);
      }
    }
    log.warn("step {} is no longer planned for {}; not resumed", started.key(), trigger.type());
    return false;
  }

  private static TriggerRef ref(StepJournal.Started started) {
    StepStarted s = started.event();
    return new TriggerRef(s.triggerTopic(), s.triggerPartition(), s.triggerOffset());
  }
}
