package io.meshorch.contracts;

import java.util.List;

/**
 * Kafka topics of the mesh bus: one per producing service, each with a {@code .dlt} twin for
 * records that cannot be processed. Auto-creation is off; every service declares the topics it
 * produces to. All records are keyed by mesh ID so that the events of one mesh stay in order.
 */
public final class Topics {
  /**
   * User requests ({@link MeshRequested}, {@link MeshDeleteRequested}); produced by meshctl, HTTP
   * or plain Kafka clients.
   */
  public static final String REQUESTS = "mesh.requests";

  public static final String INFRA = "mesh.infra.events";
  public static final String RKE = "mesh.rke.events";
  public static final String CNI = "mesh.cni.events";
  public static final String LB = "mesh.lb.events";
  public static final String MESH = "mesh.mesh.events";

  /** Every topic that carries events, in flow order. */
  public static final List<String> ALL = List.of(REQUESTS, INFRA, RKE, CNI, LB, MESH);

  /** Header carrying the logical event type, e.g. {@code mesh.VmsReady.v1}. */
  public static final String TYPE_HEADER = "mesh-event-type";

  private Topics() {}

  /** The dead-letter topic of {@code topic}. */
  public static String deadLetter(String topic) {
    return topic + ".dlt";
  }
}
