package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesResponseComposer;
import io.fabric8.kubernetes.client.utils.Utils;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.core.JacksonException;

/**
 * fabric8's CRUD dispatcher taught what a real API server does on writes, and reporting every
 * stored change.
 *
 * <ul>
 *   <li><b>Server-side apply</b>: {@code PATCH} with {@code application/apply-patch+yaml} and
 *       {@code fieldManager} (and {@code force}) creates (201) or merges (200) the object, with
 *       conflicts (409), see {@link ServerSideApply}. {@code status} in the applied configuration
 *       is ignored for kinds whose status is a subresource; applying to {@code /status} applies
 *       only the status.
 *   <li><b>Managed fields</b>: every write records its manager in {@code metadata.managedFields}:
 *       applies as {@code Apply}, everything else (create, replace, JSON/merge patch, status
 *       writes) as {@code Update}, named by the {@code fieldManager} query parameter or else the
 *       user agent up to its first {@code /}, as Kubernetes does.
 *   <li><b>No-op writes are no-ops</b>: a write that leaves the object as it was (but for the times
 *       of the managers' entries) keeps it as stored: same resourceVersion, no watch event, no
 *       listener call.
 *   <li><b>Reports</b> every stored change at the moment the API server accepts it: creations,
 *       updates (status included) and deletions, with the object's JSON before and after. The
 *       listener runs under the store's write lock on the server's event loop, so it must be quick
 *       and must not call the API.
 *   <li><b>Reads by resource</b>: fabric8's store answers every read (and finds every object a
 *       write replaces) by copying all its entries and matching each against the request, so a read
 *       cost grew with everything stored (CRDs, pods, secrets of every kind). An index by resource
 *       (the plural) holds the store's keys in the store's own order; a read matches only the keys
 *       of its resource, with fabric8's own matching, and answers as fabric8 does (the object or an
 *       empty 404; a list composed by fabric8, discovery and empty lists left to fabric8). The
 *       index changes with the store under the same write lock, and is rebuilt from the store if a
 *       stored key is ever not the one it expected.
 *   <li><b>Creates and replaces from parsed objects</b>: a create (POST, and an apply of a new
 *       object) and a replace (PUT, and the merge patches and applies that become one) are made
 *       here as fabric8's store makes them, from the parsed body and the parsed stored version,
 *       under fabric8's own store lock; fabric8 parsed, diffed and printed each object several
 *       times. Whatever fabric8 would refuse or treat otherwise is left to it ({@code
 *       StoreWritesTest} holds the two to the same answers).
 *   <li><b>Each stored version remembered</b>: parsed, with its member values and its managers'
 *       entries, for the bookkeeping of the next write.
 *   <li><b>Watches</b> are {@link StoreWatches}: their end never holds up the server's event loop,
 *       and each change reaches them in the store's order, sent as stored.
 * </ul>
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

  static final String APPLY_PATCH = "application/apply-patch+yaml";
  static final String MERGE_PATCH = "application/merge-patch+json";

  /** Kinds whose status is a subresource (custom resources: as their CRD says). */
  private static final Set<String> STATUS_SUBRESOURCE =
      Set.of(
          "Deployment",
          "DaemonSet",
          "StatefulSet",
          "ReplicaSet",
          "ReplicationController",
          "Job",
          "CronJob",
          "Service",
          "Pod",
          "Node",
          "Namespace",
          "PersistentVolume",
          "PersistentVolumeClaim",
          "ResourceQuota",
          "HorizontalPodAutoscaler",
          "PodDisruptionBudget",
          "Ingress",
          "CustomResourceDefinition",
          "APIService",
          "CertificateSigningRequest");

  /** Query parameters of writes that fabric8's store does not understand. */
  private static final Set<String> WRITE_PARAMETERS =
      Set.of("fieldManager", "force", "fieldValidation", "dryRun");

  /**
   * One write at a time (an apply reads and writes the object under the write lock); indexed reads
   * take the read lock, so they never see a write half-done.
   */
  private final ReentrantReadWriteLock store = new ReentrantReadWriteLock();

  /** The store's keys by resource (plural), in the store's order; guarded by {@link #store}. */
  private final Map<String, Set<AttributeSet>> byResource = new HashMap<>();

  /** The resourceVersion of a list: taken after each change; guarded by {@link #store}. */
  private long listVersion;

  /** The watches of this store, told of each change under the store's write lock. */
  private final StoreWatches watches = new StoreWatches();

  /** The write the current thread is making, for {@link #processEvent}. */
  private final ThreadLocal<Write> current = new ThreadLocal<>();

  /**
   * Each version this dispatcher stored, parsed, while the store holds it: the next write of the
   * object starts from it instead of parsing the stored JSON again. Guarded by the store's write
   * lock (every write holds it).
   */
  private final Map<String, Version> parsedVersions = new java.util.WeakHashMap<>();

  /**
   * A stored version parsed, with what the bookkeeping of the next write needs of it: its member
   * values and its managers' entries (each worked out once, when the version was written or first
   * asked for). The object is never changed once here.
   */
  private static final class Version {
    final Map<String, Object> object;
    private Map<List<String>, Object> values;
    private List<ManagedFields.Entry> entries;

    Version(
        Map<String, Object> object,
        Map<List<String>, Object> values,
        List<ManagedFields.Entry> entries) {
      this.object = object;
      this.values = values;
      this.entries = entries;
    }

    Map<List<String>, Object> values() {
      if (values == null) {
        values = FieldPaths.valuesOf(object);
      }
      return values;
    }

    List<ManagedFields.Entry> entries() {
      if (entries == null) {
        entries = ManagedFields.of(object);
      }
      return entries;
    }
  }

  /** The parsed form of stored version {@code json}. */
  private Map<String, Object> parsedVersion(String json) {
    Version v = parsedVersions.get(json);
    return v != null ? v.object : parse(json);
  }

  private final Listener listener;

  ObservedCrudDispatcher(Listener listener) {
    this.listener = listener;
    // fabric8 takes its store's write lock for every write it makes; clearing the (empty) store
    // shows it to locked() once, so that a replace made here can hold it as fabric8's own do.
    reset();
  }

  /**
   * fabric8's store lock, its write half: held by every write fabric8 makes, and by a watch sending
   * a new watcher what is stored (under the read half). Seen through fabric8's hook.
   */
  private volatile Lock fabric8Writes;

  @Override
  protected void locked(Lock lock) {
    if (fabric8Writes == null && lock instanceof ReentrantReadWriteLock.WriteLock) {
      fabric8Writes = lock;
    }
  }

  /**
   * A write in progress.
   *
   * @param manager its field manager
   * @param subresource {@code status} or empty
   * @param applied for an apply, the entries {@link ServerSideApply} computed; null for updates
   */
  private static final class Write {
    final String manager;
    final String subresource;
    final List<ManagedFields.Entry> applied;
    String stored;

    Write(String manager, String subresource, List<ManagedFields.Entry> applied) {
      this.manager = manager;
      this.subresource = subresource;
      this.applied = applied;
    }
  }

  @Override
  public MockResponse handleCreate(RecordedRequest request) {
    return fromParsedBody(request, r -> super.handleCreate(r), this::create);
  }

  /** A write made here from the parsed body, as fabric8 would make it, or by fabric8. */
  private interface ParsedWrite {
    /**
     * @param path the request path, without the write parameters fabric8 does not know
     * @param body the parsed body
     * @param asFabric8Would the same request handed to fabric8
     */
    MockResponse write(
        String path, Map<String, Object> body, Supplier<MockResponse> asFabric8Would);
  }

  /**
   * {@code request} written by {@code parsedWrite} from its parsed body, or by {@code fabric8} when
   * the body does not parse; under the store's write lock, with the bookkeeping.
   */
  private MockResponse fromParsedBody(
      RecordedRequest request,
      Function<RecordedRequest, MockResponse> fabric8,
      ParsedWrite parsedWrite) {
    RecordedRequest plain = withoutWriteParameters(request);
    String body = plain.getBody().readUtf8();
    Supplier<MockResponse> asFabric8Would = () -> fabric8.apply(again(plain, body));
    Map<String, Object> parsed;
    try {
      parsed = parse(body);
    } catch (RuntimeException e) {
      parsed = null;
    }
    Map<String, Object> object = parsed;
    return write(
        request,
        null,
        () ->
            object == null
                ? asFabric8Would.get()
                : parsedWrite.write(plain.getPath(), object, asFabric8Would));
  }

  /**
   * A creation (POST) of {@code body} in the collection {@code path} as fabric8's store makes it
   * (the same checks; the namespace of the URL, a new uid, creation time, resourceVersion and
   * generation 1; no deletion mark; no status where status is a subresource), from the parsed body:
   * fabric8 reads the body into its model, prints it, and the bookkeeping parses it again. What
   * fabric8 would refuse or print otherwise (an object that exists, a generated name, a namespace
   * that is not the URL's, metadata that its model would drop or reshape, null values) is left to
   * {@code asFabric8Would}. Call with the store's write lock held.
   *
   * @param body the new object; changed here (it becomes the stored object)
   */
  @SuppressWarnings("unchecked")
  private MockResponse create(
      String path, Map<String, Object> body, Supplier<MockResponse> asFabric8Would) {
    Lock fabric8Lock = fabric8Writes;
    if (fabric8Lock == null
        || !(body.get("metadata") instanceof Map<?, ?> bodyMetadata)
        || blank(body.get("kind"))
        || blank(body.get("apiVersion"))
        || !(bodyMetadata.get("name") instanceof String name)
        || name.isEmpty()
        || !asFabric8Prints(bodyMetadata)
        || hasNull(body)) {
      return asFabric8Would.get();
    }
    fabric8Lock.lock();
    try {
      AttributeSet collection = getKey(path);
      String pathNamespace = pathName(collection, KubernetesAttributesExtractor.NAMESPACE);
      Object namespace = bodyMetadata.get("namespace");
      if (namespace != null && !namespace.equals(pathNamespace)) {
        return asFabric8Would.get();
      }
      AttributeSet key = collection.add(new Attribute(KubernetesAttributesExtractor.NAME, name));
      if (findResource(key) != null) {
        return asFabric8Would.get();
      }
      Map<String, Object> metadata = (Map<String, Object>) bodyMetadata;
      metadata.remove("deletionTimestamp");
      if (pathNamespace != null) {
        metadata.put("namespace", pathNamespace);
      }
      metadata.put("uid", Utils.generateId().toString());
      metadata.put("creationTimestamp", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
      metadata.put("resourceVersion", String.valueOf(requestResourceVersion()));
      metadata.put("generation", 1);
      if (isStatusSubresourceEnabledForResource(path)) {
        body.remove("status");
      }
      commit(path, key, null, null, null, body);
      return new MockResponse().setResponseCode(201);
    } finally {
      fabric8Lock.unlock();
    }
  }

  /** Metadata fields whose values fabric8's model prints back as they came: text. */
  private static final Set<String> TEXT_METADATA =
      Set.of(
          "name",
          "namespace",
          "uid",
          "resourceVersion",
          "creationTimestamp",
          "deletionTimestamp",
          "selfLink");

  /**
   * Whether fabric8's model of {@code metadata} prints it back with the same content: only the
   * fields it knows, text where it has text, non-empty labels, annotations and finalizers (it drops
   * empty ones), owner references of text and booleans; no managed fields (it types them).
   */
  private static boolean asFabric8Prints(Map<?, ?> metadata) {
    for (Map.Entry<?, ?> e : metadata.entrySet()) {
      String field = String.valueOf(e.getKey());
      Object value = e.getValue();
      boolean plain =
          switch (field) {
            case "labels", "annotations" ->
                value instanceof Map<?, ?> m
                    && !m.isEmpty()
                    && m.values().stream().allMatch(v -> v instanceof String);
            case "finalizers" ->
                value instanceof List<?> l
                    && !l.isEmpty()
                    && l.stream().allMatch(v -> v instanceof String s && !s.isEmpty());
            case "ownerReferences" ->
                value instanceof List<?> l
                    && !l.isEmpty()
                    && l.stream()
                        .allMatch(
                            r ->
                                r instanceof Map<?, ?> ref
                                    && ref.values().stream()
                                        .allMatch(
                                            v -> v instanceof String || v instanceof Boolean));
            default -> TEXT_METADATA.contains(field) && value instanceof String s && !s.isEmpty();
          };
      if (!plain) {
        return false;
      }
    }
    return true;
  }

  /** Whether a null is anywhere in {@code value}. */
  private static boolean hasNull(Object value) {
    if (value == null) {
      return true;
    }
    if (value instanceof Map<?, ?> map) {
      for (Object v : map.values()) {
        if (hasNull(v)) {
          return true;
        }
      }
    } else if (value instanceof List<?> list) {
      for (Object v : list) {
        if (hasNull(v)) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public MockResponse handleUpdate(RecordedRequest request) {
    return fromParsedBody(request, r -> super.handleUpdate(r), this::replace);
  }

  /**
   * A replace (PUT) of {@code path} with {@code body} as fabric8's store makes it (the same checks,
   * the same metadata kept, generation and resourceVersion moved on the same changes), from the
   * parsed body and the parsed stored version: fabric8 parses a replace's body three times and the
   * stored version once, diffs them twice and prints the result, which the bookkeeping then parses
   * again. What fabric8 would refuse or treat otherwise (no such object, a name, namespace or
   * resourceVersion that does not match, an object marked for deletion, fields of unusual types) is
   * left to {@code asFabric8Would}. Call with the store's write lock held.
   *
   * @param body the new object; changed here (it becomes the stored object)
   */
  private MockResponse replace(
      String path, Map<String, Object> body, Supplier<MockResponse> asFabric8Would) {
    Lock fabric8Lock = fabric8Writes;
    if (fabric8Lock == null
        || !(body.get("metadata") instanceof Map<?, ?> bodyMetadata)
        || blank(body.get("kind"))
        || blank(body.get("apiVersion"))
        || (blank(bodyMetadata.get("name")) && blank(bodyMetadata.get("generateName")))
        || bodyMetadata.get("deletionTimestamp") != null) {
      return asFabric8Would.get();
    }
    fabric8Lock.lock();
    try {
      AttributeSet key = getKey(path);
      Map.Entry<AttributeSet, String> found = findResource(key);
      Attribute pathName = key.getAttribute(KubernetesAttributesExtractor.NAME);
      if (found == null || pathName == null) {
        return asFabric8Would.get();
      }
      Map<String, Object> live = parsedVersion(found.getValue());
      Map<String, Object> updated = replaced(path, live, body, key);
      if (updated == null) {
        return asFabric8Would.get();
      }
      commit(path, key, found.getKey(), null, null, updated);
      return new MockResponse().setResponseCode(200);
    } finally {
      fabric8Lock.unlock();
    }
  }

  /**
   * What fabric8's replace stores: {@code body} (or, for {@code /status}, {@code live} with the
   * body's status) with {@code live}'s server-owned metadata, the generation moved on when anything
   * but metadata and status changed, the resourceVersion when anything did; null when fabric8 would
   * answer otherwise.
   */
  @SuppressWarnings("unchecked")
  private Map<String, Object> replaced(
      String path, Map<String, Object> live, Map<String, Object> body, AttributeSet key) {
    if (!(live.get("metadata") instanceof Map<?, ?> liveMetadata)
        || !(liveMetadata.get("uid") instanceof String uid)
        || !(liveMetadata.get("creationTimestamp") instanceof String created)
        || !(liveMetadata.get("resourceVersion") instanceof String liveVersion)
        || !(liveMetadata.get("generation") instanceof Integer generation)
        || !textOrAbsent(liveMetadata.get("namespace"))) {
      return null;
    }
    boolean toStatus = isStatus(path);
    // A replace of the status keeps everything else as stored, metadata included.
    Map<?, ?> checked = toStatus ? liveMetadata : (Map<?, ?>) body.get("metadata");
    Object name = checked.get("name");
    Object namespace = checked.get("namespace");
    Object version = checked.get("resourceVersion");
    if (!textOrAbsent(name) || !textOrAbsent(namespace) || !textOrAbsent(version)) {
      return null;
    }
    if (name != null
        && !name.toString().isEmpty()
        && !name.equals(pathName(key, KubernetesAttributesExtractor.NAME))) {
      return null;
    }
    String pathNamespace = pathName(key, KubernetesAttributesExtractor.NAMESPACE);
    if (pathNamespace != null
        && namespace != null
        && !namespace.toString().isEmpty()
        && !namespace.equals(pathNamespace)) {
      return null;
    }
    if (version != null && !version.toString().isEmpty() && !version.equals(liveVersion)) {
      return null;
    }
    Map<String, Object> updated;
    if (toStatus) {
      updated = FieldPaths.copy(live);
      if (body.containsKey("status")) {
        updated.put("status", body.get("status"));
      } else {
        updated.remove("status");
      }
    } else {
      updated = body;
      if (isStatusSubresourceEnabledForResource(path)) {
        if (live.containsKey("status")) {
          updated.put("status", FieldPaths.copyValue(live.get("status")));
        } else {
          updated.remove("status");
        }
      }
    }
    Map<String, Object> metadata = (Map<String, Object>) updated.get("metadata");
    metadata.put("namespace", liveMetadata.get("namespace"));
    metadata.put("uid", uid);
    metadata.put("creationTimestamp", created);
    metadata.put("resourceVersion", liveVersion);
    metadata.put("generation", generation);
    if (!toStatus && specChanged(live, updated)) {
      metadata.put("generation", generation + 1);
    }
    if (!updated.equals(live)) {
      metadata.put("resourceVersion", String.valueOf(requestResourceVersion()));
    }
    return updated;
  }

  /** Whether anything but metadata and status differs, as fabric8 moves the generation on. */
  private static boolean specChanged(Map<String, Object> live, Map<String, Object> updated) {
    Set<String> fields = new LinkedHashSet<>(live.keySet());
    fields.addAll(updated.keySet());
    for (String field : fields) {
      if (!field.equals("metadata")
          && !field.equals("status")
          && (live.containsKey(field) != updated.containsKey(field)
              || !Objects.equals(live.get(field), updated.get(field)))) {
        return true;
      }
    }
    return false;
  }

  private static String pathName(AttributeSet key, String attribute) {
    Attribute a = key.getAttribute(attribute);
    return a == null || a.getValues().isEmpty() ? null : a.getValues().iterator().next().toString();
  }

  private static boolean blank(Object value) {
    return value == null || value.toString().isEmpty();
  }

  private static boolean textOrAbsent(Object value) {
    return value == null || value instanceof String;
  }

  @Override
  public MockResponse handlePatch(RecordedRequest request) {
    String type = request.getHeader("Content-Type");
    if (type != null && type.startsWith(APPLY_PATCH)) {
      store.writeLock().lock();
      try {
        return apply(request);
      } finally {
        store.writeLock().unlock();
      }
    }
    if (type != null && type.startsWith(MERGE_PATCH) && !isStatus(request.getPath())) {
      store.writeLock().lock();
      try {
        return mergePatch(withoutWriteParameters(request));
      } finally {
        store.writeLock().unlock();
      }
    }
    return write(request, null, () -> super.handlePatch(withoutWriteParameters(request)));
  }

  /**
   * A JSON merge patch (RFC 7386) of an object as the API server applies it: objects merge member
   * by member, a {@code null} member removes the field, anything else replaces it. fabric8's store
   * would keep the {@code null}s (a merge patch of {@code {"metadata":{"annotations":{"a":null}}}}
   * left {@code "a": null} in the object). Written as an update of the merged object; a patch of
   * what does not exist, or that is no JSON object, is fabric8's to answer.
   */
  private MockResponse mergePatch(RecordedRequest request) {
    String path = request.getPath();
    int q = path.indexOf('?');
    String objectPath = q < 0 ? path : path.substring(0, q);
    String body = request.getBody().readUtf8();
    Supplier<MockResponse> asFabric8Would = () -> super.handlePatch(again(request, body));
    boolean named =
        attributeExtractor.fromPath(objectPath).containsKey(KubernetesAttributesExtractor.NAME);
    List<String> live = named ? read(objectPath) : List.of();
    Object patch;
    try {
      patch = FieldPaths.parse(body);
    } catch (JacksonException e) {
      patch = null;
    }
    if (live.isEmpty() || !(patch instanceof Map<?, ?>)) {
      return write(request, null, asFabric8Would);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> merged = (Map<String, Object>) mergePatch(parse(live.get(0)), patch);
    Headers headers =
        new Headers.Builder()
            .add("Content-Type", "application/json")
            .add("User-Agent", Objects.toString(request.getHeader("User-Agent"), ""))
            .build();
    return write(
        request,
        null,
        () -> replace(path, merged, () -> super.handleUpdate(put(path, headers, merged))));
  }

  /** {@code request} again, with {@code body}: reading a request's body uses it up. */
  private static RecordedRequest again(RecordedRequest request, String body) {
    return new RecordedRequest(
        request.getHttpVersion(),
        request.method(),
        request.getPath(),
        request.getHeaders(),
        new Buffer().writeUtf8(body));
  }

  /** A replace of {@code path} with {@code object}, as fabric8's store takes one. */
  private static RecordedRequest put(String path, Headers headers, Map<String, Object> object) {
    return new RecordedRequest(
        "HTTP/1.1", HttpMethod.PUT, path, headers, new Buffer().writeUtf8(FieldPaths.json(object)));
  }

  /** RFC 7386's MergePatch(target, patch). */
  @SuppressWarnings("unchecked")
  static Object mergePatch(Object target, Object patch) {
    if (!(patch instanceof Map<?, ?> members)) {
      return patch;
    }
    Map<String, Object> result =
        target instanceof Map<?, ?> m
            ? new LinkedHashMap<>((Map<String, Object>) m)
            : new LinkedHashMap<>();
    for (Map.Entry<?, ?> member : members.entrySet()) {
      String name = member.getKey().toString();
      if (member.getValue() == null) {
        result.remove(name);
      } else {
        result.put(name, mergePatch(result.get(name), member.getValue()));
      }
    }
    return result;
  }

  @Override
  public MockResponse handleDelete(String path) {
    store.writeLock().lock();
    try {
      return super.handleDelete(path);
    } finally {
      store.writeLock().unlock();
    }
  }

  @Override
  public MockResponse handleGet(String path) {
    if (isWatch(path)) {
      // Before fabric8's handleGet, which would hold its store lock while this takes ours.
      return handleWatch(path);
    }
    AttributeSet query = attributeExtractor.fromPath(path);
    if (resourceOf(query) == null) {
      return super.handleGet(path);
    }
    boolean named = query.containsKey(KubernetesAttributesExtractor.NAME);
    Found found = matching(query);
    if (named) {
      return found.items().isEmpty()
          ? new MockResponse().setResponseCode(404)
          : new MockResponse().setResponseCode(200).setBody(found.items().get(0));
    }
    if (found.items().isEmpty()) {
      // An empty list may be an API discovery request, which fabric8 answers.
      return super.handleGet(path);
    }
    return new MockResponse()
        .setResponseCode(200)
        .setBody(
            ((KubernetesResponseComposer) responseComposer)
                .compose(found.items(), Long.toString(found.version())));
  }

  /**
   * What a GET of {@code path} would answer, read in this process instead of over HTTP: the stored
   * JSON of the named object (none or one) or of each object of the list, in the store's order. The
   * sandbox's own controllers and agents read this way, as a real controller reads the cache its
   * informers keep; their writes still go through the API.
   *
   * @param path a read of one resource (plural), e.g. {@code /api/v1/namespaces/kube-system/pods}
   * @throws IllegalArgumentException when the path does not name exactly one resource
   */
  List<String> read(String path) {
    AttributeSet query = attributeExtractor.fromPath(path);
    if (resourceOf(query) == null || isWatch(path)) {
      throw new IllegalArgumentException("not a read of one resource: " + path);
    }
    return matching(query).items();
  }

  private record Found(List<String> items, long version) {}

  private Found matching(AttributeSet query) {
    boolean named = query.containsKey(KubernetesAttributesExtractor.NAME);
    List<String> items = new ArrayList<>();
    store.readLock().lock();
    try {
      for (AttributeSet key : byResource.getOrDefault(resourceOf(query), Set.of())) {
        if (key.matches(query)) {
          String stored = map.get(key);
          if (stored != null) {
            items.add(stored);
            if (named) {
              break;
            }
          }
        }
      }
      return new Found(items, listVersion);
    } finally {
      store.readLock().unlock();
    }
  }

  @Override
  public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
    String resource = resourceOf(attributes);
    if (resource == null) {
      return super.findResource(attributes);
    }
    store.readLock().lock();
    try {
      for (AttributeSet key : byResource.getOrDefault(resource, Set.of())) {
        if (key.matches(attributes)) {
          String stored = map.get(key);
          if (stored != null) {
            return new AbstractMap.SimpleImmutableEntry<>(key, stored);
          }
        }
      }
      return null;
    } finally {
      store.readLock().unlock();
    }
  }

  /** fabric8's own answer to a read, matching every stored key: what the index must agree with. */
  MockResponse unindexedGet(String path) {
    return super.handleGet(path);
  }

  /** The resource (plural) a key or query names, when it names exactly one. */
  private static String resourceOf(AttributeSet attributes) {
    Attribute plural = attributes.getAttribute(KubernetesAttributesExtractor.PLURAL);
    if (plural == null
        || plural.getType() != AttributeType.WITH
        || plural.getValues().size() != 1) {
      return null;
    }
    return plural.getValues().get(0).toString();
  }

  /**
   * A watch of what {@code path} names (a resource, a namespace of it, and {@code
   * fieldSelector=metadata.name=...} as fabric8 reads it), served by {@link StoreWatches}: told
   * what is stored now, then each change.
   */
  @Override
  public MockResponse handleWatch(String path) {
    AttributeSet query = attributeExtractor.fromPath(path);
    String name = watchedName(path);
    if (name != null) {
      query = query.add(new Attribute(KubernetesAttributesExtractor.NAME, name));
    }
    store.readLock().lock();
    try {
      return new MockResponse().withWebSocketUpgrade(watches.open(query, stored(query)));
    } finally {
      store.readLock().unlock();
    }
  }

  /**
   * Every stored object {@code query} matches, in the store's order (a name without a namespace may
   * match one per namespace). The caller holds the store's read lock.
   */
  private List<String> stored(AttributeSet query) {
    String resource = resourceOf(query);
    List<AttributeSet> keys;
    if (resource != null) {
      keys = List.copyOf(byResource.getOrDefault(resource, Set.of()));
    } else {
      synchronized (map) {
        keys = List.copyOf(map.keySet());
      }
    }
    List<String> items = new ArrayList<>();
    for (AttributeSet key : keys) {
      String json = map.get(key);
      if (json != null && key.matches(query)) {
        items.add(json);
      }
    }
    return items;
  }

  /** The name of {@code fieldSelector=metadata.name=<name>} in a watch's query, or null. */
  static String watchedName(String path) {
    int q = path.indexOf('?');
    if (q < 0) {
      return null;
    }
    for (String parameter : path.substring(q + 1).split("&")) {
      String decoded = URLDecoder.decode(parameter, StandardCharsets.UTF_8);
      String prefix = "fieldSelector=metadata.name=";
      if (decoded.startsWith(prefix)) {
        String name = decoded.substring(prefix.length());
        int comma = name.indexOf(',');
        return comma < 0 ? name : name.substring(0, comma);
      }
    }
    return null;
  }

  /** The watches open on this store: for tests. */
  int watchesOpen() {
    return watches.count();
  }

  private static boolean isWatch(String path) {
    int q = path.indexOf('?');
    return q >= 0 && path.substring(q + 1).contains("watch=true");
  }

  private MockResponse write(
      RecordedRequest request, List<ManagedFields.Entry> applied, Supplier<MockResponse> write) {
    store.writeLock().lock();
    Write w = new Write(manager(request), isStatus(request.getPath()) ? "status" : "", applied);
    current.set(w);
    try {
      MockResponse response = write.get();
      if (w.stored != null && response.code() / 100 == 2) {
        response.setBody(w.stored);
      }
      return response;
    } finally {
      current.remove();
      store.writeLock().unlock();
    }
  }

  private MockResponse apply(RecordedRequest request) {
    String path = request.getPath();
    Map<String, String> query = query(path);
    String manager = query.get("fieldManager");
    if (manager == null || manager.isEmpty()) {
      return status(
          400, "BadRequest", "PATCH, application/apply-patch+yaml requires fieldManager to be set");
    }
    boolean force = "true".equals(query.get("force"));
    String base = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    boolean toStatus = base.endsWith("/status");
    String objectPath = toStatus ? base.substring(0, base.length() - "/status".length()) : base;
    Map<String, Object> applied;
    try {
      applied = parse(request.getBody().readUtf8());
    } catch (RuntimeException e) {
      return status(400, "BadRequest", "error decoding YAML: " + e.getMessage());
    }
    String name = objectPath.substring(objectPath.lastIndexOf('/') + 1);
    String refused = check(applied, name);
    if (refused != null) {
      return status(400, "BadRequest", refused);
    }
    Map.Entry<AttributeSet, String> found = findResource(getKey(objectPath));
    Map<String, Object> live = found == null ? null : parse(found.getValue());
    @SuppressWarnings("unchecked")
    Map<String, Object> metadata = (Map<String, Object>) applied.get("metadata");
    Object version = metadata.remove("resourceVersion");
    if (live != null
        && version != null
        && !version.toString().isEmpty()
        && !version
            .toString()
            .equals(String.valueOf(((Map<?, ?>) live.get("metadata")).get("resourceVersion")))) {
      return status(
          409,
          "Conflict",
          "Operation cannot be fulfilled on "
              + applied.get("kind")
              + " \""
              + name
              + "\": the object has been modified; please apply your changes to the latest"
              + " version and try again");
    }
    for (String field :
        List.of(
            "uid",
            "generation",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "managedFields",
            "selfLink")) {
      metadata.remove(field);
    }
    String kind = String.valueOf(applied.get("kind"));
    if (toStatus) {
      if (live == null) {
        return notFound(objectPath, name);
      }
      Map<String, Object> onlyStatus = FieldPaths.map();
      onlyStatus.put("apiVersion", applied.get("apiVersion"));
      onlyStatus.put("kind", kind);
      if (applied.containsKey("status")) {
        onlyStatus.put("status", applied.get("status"));
      }
      applied = onlyStatus;
    } else if (STATUS_SUBRESOURCE.contains(kind) || isStatusSubresourceEnabledForResource(base)) {
      applied.remove("status");
    }
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    ServerSideApply.Outcome outcome =
        ServerSideApply.apply(live, applied, manager, toStatus ? "status" : "", force, now);
    if (outcome instanceof ServerSideApply.Conflicts c) {
      return new MockResponse()
          .setResponseCode(409)
          .addHeader("Content-Type", "application/json")
          .setBody(c.status());
    }
    Map<String, Object> merged = ((ServerSideApply.Applied) outcome).object();
    if (live != null && ManagedFields.sameContent(live, merged)) {
      // A no-op apply answers the stored object untouched, as a real API server does. Going
      // through the store's update gave cluster-scoped objects (Namespace, CRDs, ClusterRoles)
      // a new resourceVersion on an identical re-apply.
      return new MockResponse()
          .setResponseCode(200)
          .addHeader("Content-Type", "application/json")
          .setBody(found.getValue());
    }
    List<ManagedFields.Entry> entries = ManagedFields.of(merged);
    Headers headers =
        Headers.builder()
            .add("Content-Type", "application/json")
            .add("User-Agent", Objects.toString(request.getHeader("User-Agent"), ""))
            .build();
    if (live == null) {
      String collection = objectPath.substring(0, objectPath.lastIndexOf('/'));
      // The entries are the apply's (the store records them whatever the object says).
      if (merged.get("metadata") instanceof Map<?, ?> mergedMetadata) {
        mergedMetadata.remove("managedFields");
      }
      return write(
          request,
          entries,
          () ->
              create(
                  collection,
                  merged,
                  () ->
                      super.handleCreate(
                          new RecordedRequest(
                              "HTTP/1.1",
                              HttpMethod.POST,
                              collection,
                              headers,
                              new Buffer().writeUtf8(FieldPaths.json(merged))))));
    }
    String target = toStatus ? objectPath + "/status" : objectPath;
    return write(
        request,
        entries,
        () -> replace(target, merged, () -> super.handleUpdate(put(target, headers, merged))));
  }

  /** What makes the API server refuse an apply body before looking at the object. */
  private static String check(Map<String, Object> applied, String name) {
    if (applied.get("apiVersion") == null || applied.get("apiVersion").toString().isEmpty()) {
      return "apiVersion must be set";
    }
    if (applied.get("kind") == null || applied.get("kind").toString().isEmpty()) {
      return "kind must be set";
    }
    if (!(applied.get("metadata") instanceof Map<?, ?> metadata)) {
      applied.put("metadata", new LinkedHashMap<>(Map.of("name", name)));
      return null;
    }
    Object bodyName = metadata.get("name");
    if (bodyName == null || bodyName.toString().isEmpty()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) metadata;
      m.put("name", name);
    } else if (!bodyName.equals(name)) {
      return "the name of the object ("
          + bodyName
          + ") does not match the name on the URL ("
          + name
          + ")";
    }
    return null;
  }

  @Override
  public void processEvent(
      String path,
      AttributeSet pathAttributes,
      AttributeSet oldAttributes,
      GenericKubernetesResource resource,
      String newState) {
    Map<String, Object> parsed = current.get() != null && newState != null ? parse(newState) : null;
    commit(path, pathAttributes, oldAttributes, resource, newState, parsed);
  }

  /**
   * Stores a write: the object replaced (fabric8's stored key {@code oldAttributes}, if any) by
   * {@code newState} (null: deleted), or, during a write of this dispatcher, by {@code parsedNew}
   * with its managed fields recorded (or left as stored when nothing changed).
   */
  private void commit(
      String path,
      AttributeSet pathAttributes,
      AttributeSet oldAttributes,
      GenericKubernetesResource resource,
      String newState,
      Map<String, Object> parsedNew) {
    String before = oldAttributes == null ? null : map.get(oldAttributes);
    Write w = current.get();
    String after = newState;
    GenericKubernetesResource key = resource;
    if (w != null && parsedNew != null) {
      after = track(w, before, parsedNew, parsedVersions);
      w.stored = after;
      Version parsed = parsedVersions.get(after);
      if (key == null && parsed != null) {
        key = keyOf(parsed.object);
      }
    }
    store.writeLock().lock();
    try {
      super.processEvent(path, pathAttributes, oldAttributes, key, after);
      AttributeSet newKey = reindex(pathAttributes, oldAttributes, key, after);
      listVersion = requestResourceVersion();
      watches.changed(oldAttributes, before, newKey, after);
    } finally {
      store.writeLock().unlock();
    }
    if (!Objects.equals(before, after)) {
      listener.changed(path, before, after);
    }
  }

  /**
   * What fabric8 works an object's store key out from (API version, kind, name, namespace, labels),
   * taken from its parsed form: given this, fabric8 and the index do not parse the stored JSON
   * again, as they do when given only the JSON (into the same type, with the same fields).
   */
  static GenericKubernetesResource keyOf(Map<String, Object> object) {
    GenericKubernetesResource key = new GenericKubernetesResource();
    key.setApiVersion(text(object.get("apiVersion")));
    key.setKind(text(object.get("kind")));
    ObjectMeta metadata = new ObjectMeta();
    if (object.get("metadata") instanceof Map<?, ?> m) {
      metadata.setName(text(m.get("name")));
      metadata.setNamespace(text(m.get("namespace")));
      if (m.get("labels") instanceof Map<?, ?> labels) {
        Map<String, String> copy = new LinkedHashMap<>();
        labels.forEach((k, v) -> copy.put(String.valueOf(k), text(v)));
        metadata.setLabels(copy);
      }
    }
    key.setMetadata(metadata);
    return key;
  }

  private static String text(Object value) {
    return value == null ? null : value.toString();
  }

  /**
   * Moves the index from the replaced key to the key fabric8 stored {@code stored} under, worked
   * out as fabric8 does; rebuilds the index from the store when that key is not there.
   *
   * @return that key (null for a deletion)
   */
  private AttributeSet reindex(
      AttributeSet pathAttributes,
      AttributeSet oldAttributes,
      GenericKubernetesResource resource,
      String stored) {
    if (oldAttributes != null) {
      Set<AttributeSet> keys = byResource.get(resourceOf(oldAttributes));
      if (keys != null) {
        keys.remove(oldAttributes);
      }
    }
    if (stored == null) {
      return null;
    }
    KubernetesAttributesExtractor extractor = (KubernetesAttributesExtractor) attributeExtractor;
    AttributeSet key =
        resource != null ? extractor.extract(resource) : extractor.fromResource(stored);
    if (!key.containsKey(KubernetesAttributesExtractor.PLURAL)) {
      key = AttributeSet.merge(pathAttributes, key);
    }
    String resourceName = resourceOf(key);
    if (resourceName == null || !stored.equals(map.get(key))) {
      rebuildIndex();
      return key;
    }
    byResource.computeIfAbsent(resourceName, r -> new LinkedHashSet<>()).add(key);
    return key;
  }

  /** The index afresh from the store, in its order. */
  private void rebuildIndex() {
    byResource.clear();
    synchronized (map) {
      for (AttributeSet key : map.keySet()) {
        String resourceName = resourceOf(key);
        if (resourceName != null) {
          byResource.computeIfAbsent(resourceName, r -> new LinkedHashSet<>()).add(key);
        }
      }
    }
  }

  /** The state to store: managed fields recorded, or the stored one when nothing changed. */
  private static String track(
      Write w, String before, Map<String, Object> is, Map<String, Version> parsed) {
    Version prior = before == null ? null : parsed.get(before);
    if (before != null && prior == null) {
      prior = new Version(parse(before), null, null);
    }
    Map<String, Object> was = prior == null ? null : prior.object;
    mergeStringData(is);
    Map<List<String>, Object> values = null;
    List<ManagedFields.Entry> entries = w.applied;
    if (entries == null) {
      values = FieldPaths.valuesOf(is);
      entries =
          ManagedFields.afterUpdate(
              prior == null ? List.of() : prior.entries(),
              prior == null ? Map.of() : prior.values(),
              is,
              values,
              w.manager,
              w.subresource,
              Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    }
    ManagedFields.write(is, entries);
    if (was != null && ManagedFields.sameContent(was, is)) {
      return before;
    }
    String stored = FieldPaths.json(is);
    parsed.put(stored, new Version(is, values, entries));
    return stored;
  }

  /**
   * A Secret's {@code stringData} merged into its {@code data} (base64; over a key of the same
   * name) and dropped, as the API server does: {@code stringData} is write-only, never stored or
   * read back.
   */
  @SuppressWarnings("unchecked")
  private static void mergeStringData(Map<String, Object> object) {
    if (!"Secret".equals(object.get("kind"))
        || !(object.remove("stringData") instanceof Map<?, ?> plain)) {
      return;
    }
    Map<String, Object> data =
        object.get("data") instanceof Map<?, ?> d ? (Map<String, Object>) d : new LinkedHashMap<>();
    plain.forEach(
        (k, v) ->
            data.put(
                String.valueOf(k),
                Base64.getEncoder()
                    .encodeToString(String.valueOf(v).getBytes(StandardCharsets.UTF_8))));
    object.put("data", data);
  }

  private static boolean isStatus(String path) {
    int q = path.indexOf('?');
    return (q < 0 ? path : path.substring(0, q)).endsWith("/status");
  }

  /** The field manager of a write: {@code fieldManager}, else the user agent's product. */
  static String manager(RecordedRequest request) {
    String manager = query(request.getPath()).get("fieldManager");
    if (manager != null && !manager.isEmpty()) {
      return manager;
    }
    String agent = request.getHeader("User-Agent");
    if (agent == null || agent.isBlank()) {
      return "unknown";
    }
    int slash = agent.indexOf('/');
    return slash < 0 ? agent.trim() : agent.substring(0, slash).trim();
  }

  private static Map<String, String> query(String path) {
    Map<String, String> out = new LinkedHashMap<>();
    int q = path.indexOf('?');
    if (q < 0) {
      return out;
    }
    for (String param : path.substring(q + 1).split("&")) {
      String[] kv = param.split("=", 2);
      out.put(
          URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          kv.length < 2 ? "" : URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    return out;
  }

  /** The request without the write parameters fabric8's store would take for selectors. */
  private static RecordedRequest withoutWriteParameters(RecordedRequest request) {
    String path = request.getPath();
    int q = path.indexOf('?');
    if (q < 0) {
      return request;
    }
    StringBuilder kept = new StringBuilder();
    for (String param : path.substring(q + 1).split("&")) {
      String name = URLDecoder.decode(param.split("=", 2)[0], StandardCharsets.UTF_8);
      if (!WRITE_PARAMETERS.contains(name)) {
        kept.append(kept.length() == 0 ? "?" : "&").append(param);
      }
    }
    return new RecordedRequest(
        request.getHttpVersion(),
        request.method(),
        path.substring(0, q) + kept,
        request.getHeaders(),
        request.getBody());
  }

  /** A JSON object, or the YAML an apply body may be. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> parse(String body) {
    Object value;
    try {
      value = FieldPaths.parse(body);
    } catch (JacksonException e) {
      // YAML: read safely, then through JSON so that numbers and maps are of the mapper's types.
      value = FieldPaths.normal(new Yaml(new SafeConstructor(new LoaderOptions())).load(body));
    }
    if (!(value instanceof Map<?, ?>)) {
      throw new IllegalArgumentException("the body is not an object");
    }
    return (Map<String, Object>) value;
  }

  private static MockResponse notFound(String path, String name) {
    String[] parts = path.split("/");
    String resource = parts[parts.length - 2];
    return new MockResponse()
        .setResponseCode(404)
        .addHeader("Content-Type", "application/json")
        .setBody(
            FieldPaths.json(
                Map.of(
                    "kind",
                    "Status",
                    "apiVersion",
                    "v1",
                    "metadata",
                    Map.of(),
                    "status",
                    "Failure",
                    "message",
                    resource + " \"" + name + "\" not found",
                    "reason",
                    "NotFound",
                    "details",
                    Map.of("name", name, "kind", resource),
                    "code",
                    404)));
  }

  private static MockResponse status(int code, String reason, String message) {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.put("metadata", Map.of());
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", reason);
    status.put("code", code);
    return new MockResponse()
        .setResponseCode(code)
        .addHeader("Content-Type", "application/json")
        .setBody(FieldPaths.json(status));
  }
}
