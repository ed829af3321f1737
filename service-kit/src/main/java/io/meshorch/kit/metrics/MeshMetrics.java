package io.meshorch.kit.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The product metrics every service exposes (Prometheus names in the service-kit README): step
 * durations by stage and outcome, steps in flight, step failures by code, events consumed and
 * produced by logical type. Each meter carries the tag {@code service}. Consumer lag comes from the
 * Kafka client's own metrics ({@code kafka_consumer_fetch_manager_records_lag*}).
 */
public final class MeshMetrics {
  /** Prometheus: {@code mesh_step_duration_seconds} (histogram). */
  public static final String STEP_DURATION = "mesh.step.duration";

  /** Prometheus: {@code mesh_steps_in_flight} (gauge). */
  public static final String STEPS_IN_FLIGHT = "mesh.steps.in.flight";

  /** Prometheus: {@code mesh_step_failures_total} (counter). */
  public static final String STEP_FAILURES = "mesh.step.failures";

  /** Prometheus: {@code mesh_events_consumed_total} (counter). */
  public static final String EVENTS_CONSUMED = "mesh.events.consumed";

  /** Prometheus: {@code mesh_events_produced_total} (counter). */
  public static final String EVENTS_PRODUCED = "mesh.events.produced";

  /** Outcome tag of a step that published its outcome event. */
  public static final String COMPLETED = "completed";

  /** Outcome tag of a step that published its failure. */
  public static final String FAILED = "failed";

  // Steps last from milliseconds (a look that finds the work done) to half an hour (`rke up`).
  private static final Duration[] STEP_BUCKETS = {
    Duration.ofMillis(100),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(5),
    Duration.ofSeconds(15),
    Duration.ofSeconds(30),
    Duration.ofMinutes(1),
    Duration.ofMinutes(2),
    Duration.ofMinutes(5),
    Duration.ofMinutes(10),
    Duration.ofMinutes(20),
    Duration.ofMinutes(30),
    Duration.ofHours(1)
  };

  private final MeterRegistry registry;
  private final String service;

  /**
   * @param registry where the meters go
   * @param service the service name, tagged on every meter
   */
  public MeshMetrics(MeterRegistry registry, String service) {
    this.registry = registry;
    this.service = service;
  }

  /** Metrics that go nowhere, for code run without a registry (unit tests, tools). */
  public static MeshMetrics none() {
    return new MeshMetrics(new CompositeMeterRegistry(), "none");
  }

  /** Registers the in-flight gauge, read from {@code inFlight} at each scrape. */
  public void inFlight(Supplier<Number> inFlight) {
    Gauge.builder(STEPS_IN_FLIGHT, inFlight)
        .description("Steps running in this service, waiting ones included")
        .tag("service", service)
        .strongReference(true)
        .register(registry);
  }

  /** A step ended with its outcome ({@link #COMPLETED}) or its failure ({@link #FAILED}). */
  public void stepEnded(String stage, String outcome, Duration took) {
    Timer.builder(STEP_DURATION)
        .description("Time from a step's start (or resumption) to its outcome or failure")
        .tags("service", service, "stage", stage, "outcome", outcome)
        .serviceLevelObjectives(STEP_BUCKETS)
        .register(registry)
        .record(took);
  }

  /** A step reported a failure with {@code code} (e.g. HEAT_STACK_FAILED, CANCELLED). */
  public void stepFailed(String stage, String code) {
    Counter.builder(STEP_FAILURES)
        .description("Step failures reported, by reason code")
        .tags("service", service, "stage", stage, "code", code)
        .register(registry)
        .increment();
  }

  /** A record of logical type {@code type} was read (an unknown type: {@code unknown}). */
  public void eventConsumed(String type) {
    Counter.builder(EVENTS_CONSUMED)
        .description("Events read from the topics this service consumes, by logical type")
        .tags("service", service, "type", type)
        .register(registry)
        .increment();
  }

  /** An event of logical type {@code type} was acknowledged by the broker. */
  public void eventProduced(String type) {
    Counter.builder(EVENTS_PRODUCED)
        .description("Events this service published (broker acknowledged), by logical type")
        .tags("service", service, "type", type)
        .register(registry)
        .increment();
  }
}
