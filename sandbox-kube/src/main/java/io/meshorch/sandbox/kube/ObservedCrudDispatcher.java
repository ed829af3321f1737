package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.util.Map;
import java.util.Objects;

/**
 * fabric8's CRUD dispatcher that also reports every stored change, at the moment the API server
 * accepts it: creations, updates (status included) and deletions, with the object's JSON before and
 * after. The listener runs under the store's write lock on the server's event loop, so it must be
 * quick and must not call the API.
 */
final class ObservedCrudDispatcher extends KubernetesCrudDispatcher {
  /** Receives each change. */
  interface Listener {
    /**
     * @param path the request path that caused it
     * @param before the stored JSON before (null on creation)
     * @param after the stored JSON after (null on deletion)
     */
    void changed(String path, String before, String after);
  }

  private final Listener listener;

  ObservedCrudDispatcher(Listener listener) {
    this.listener = listener;
  }

  @Override
  public void processEvent(
      String path,
      AttributeSet pathAttributes,
      AttributeSet oldAttributes,
      GenericKubernetesResource resource,
      String newState) {
    Map.Entry<AttributeSet, String> old =
        oldAttributes == null ? null : findResource(oldAttributes);
    String before = old == null ? null : old.getValue();
    super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
    if (!Objects.equals(before, newState)) {
      listener.changed(path, before, newState);
    }
  }
}
