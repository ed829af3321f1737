package io.meshorch.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.AsyncApiDocument.Operation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Each service's README canvas lists exactly what {@code asyncapi.yaml} says the service sends
 * ({@code emits}) and receives ({@code consumes}), topic by topic.
 *
 * <p>The canvas is the first table under the README's {@code ## Canvas} heading: one row per
 * direction and topic(s), with the direction ({@code consumes} or {@code emits}), the topics in
 * backticks, and the events in backticks, by name ({@code VmsReady}) or wire type ({@code
 * mesh.VmsReady.v1}). Text in parentheses is commentary and is not read.
 */
class ServiceCanvasTest {
  private static final AsyncApiDocument DOC = AsyncApiDocument.load();
  private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");
  private static final Pattern PARENTHESES = Pattern.compile("\\([^()]*\\)");

  static final List<String> SERVICES = AsyncApiOperationsTest.SERVICES;

  @ParameterizedTest
  @FieldSource("SERVICES")
  void readmeCanvasListsWhatTheContractSaysTheServiceSendsAndReceives(String service)
      throws IOException {
    Path readme = repositoryRoot().resolve(service).resolve("README.md");
    assertThat(readme).as("README of %s", service).isRegularFile();

    Optional<String> mismatch = mismatch(service, Files.readString(readme), DOC);

    assertThat(mismatch).as("%s README canvas against asyncapi.yaml", service).isEmpty();
  }

  @Test
  void aCanvasMissingAnEventOrListingOneTooManyIsReportedByServiceAndEvent() {
    String readme =
        """
        # rke-service

        ## Canvas

        | | topic | events |
        |---|---|---|
        | consumes | `mesh.requests` | `MeshRequested`, `MeshDeleteRequested` |
        | consumes | `mesh.infra.events` | `VmsReady`, `ClusterDeleted` (other types there are skipped) |
        | emits | `mesh.rke.events` | `StepStarted`, `ClusterUp`, `ClusterDeleted`, `ClusterFailed` (stage `kubernetes`), `MeshReady` |

        ## Settings
        """;

    assertThat(mismatch("rke-service", readme, DOC))
        .hasValue(
            """
            rke-service/README.md canvas does not match asyncapi.yaml:
              missing (in asyncapi.yaml, not in the canvas): emits mesh.rke.events ProgressReported
              extra (in the canvas, not in asyncapi.yaml): emits mesh.rke.events MeshReady""");
  }

  @Test
  void aCanvasNamingAnUnknownEventOrDirectionIsReported() {
    String readme =
        """
        ## Canvas
        | direction | topic | event types |
        |---|---|---|
        | listens | `mesh.infra.events` | `VmsReady` |
        | emits | `mesh.rke.events` | `ClusterUpp` |
        """;

    assertThat(mismatch("rke-service", readme, DOC))
        .hasValueSatisfying(
            text ->
                assertThat(text)
                    .contains("rke-service/README.md canvas")
                    .contains("row 1: direction 'listens' is neither consumes nor emits")
                    .contains("row 2: `ClusterUpp` is no event of asyncapi.yaml"));
  }

  @Test
  void aReadmeWithoutACanvasIsReported() {
    assertThat(mismatch("lb-service", "# lb-service\n\nNo table here.\n", DOC))
        .hasValue("lb-service/README.md has no table under a '## Canvas' heading");
  }

  /** How the canvas in {@code readme} differs from the contract, or empty when it does not. */
  static Optional<String> mismatch(String service, String readme, AsyncApiDocument doc) {
    List<List<String>> rows = canvasRows(readme);
    String where = service + "/README.md";
    if (rows.isEmpty()) {
      return Optional.of(where + " has no table under a '## Canvas' heading");
    }
    Map<String, String> wireNames = doc.wireNames();
    List<String> problems = new ArrayList<>();
    TreeSet<String> canvas = new TreeSet<>();
    for (int i = 0; i < rows.size(); i++) {
      List<String> cells = rows.get(i);
      String row = "row " + (i + 1) + ": ";
      if (cells.size() < 3) {
        problems.add(row + "expected direction | topic(s) | events, found " + cells);
        continue;
      }
      String direction = cells.get(0).trim();
      if (!direction.equals("consumes") && !direction.equals("emits")) {
        problems.add(row + "direction '" + direction + "' is neither consumes nor emits");
        continue;
      }
      for (String event : backticked(withoutParentheses(cells.get(2)))) {
        Optional<String> key =
            wireNames.containsKey(event)
                ? Optional.of(event)
                : wireNames.entrySet().stream()
                    .filter(e -> event.equals(e.getValue()))
                    .map(Map.Entry::getKey)
                    .findFirst();
        if (key.isEmpty()) {
          problems.add(row + "`" + event + "` is no event of asyncapi.yaml");
          continue;
        }
        for (String topic : backticked(cells.get(1))) {
          canvas.add(direction + " " + topic + " " + key.get());
        }
      }
    }
    TreeSet<String> contract = contractOf(service, doc);
    TreeSet<String> missing = new TreeSet<>(contract);
    missing.removeAll(canvas);
    TreeSet<String> extra = new TreeSet<>(canvas);
    extra.removeAll(contract);
    if (!missing.isEmpty()) {
      problems.add("missing (in asyncapi.yaml, not in the canvas): " + String.join(", ", missing));
    }
    if (!extra.isEmpty()) {
      problems.add("extra (in the canvas, not in asyncapi.yaml): " + String.join(", ", extra));
    }
    return problems.isEmpty()
        ? Optional.empty()
        : Optional.of(
            where + " canvas does not match asyncapi.yaml:\n  " + String.join("\n  ", problems));
  }

  /** "emits|consumes topic Event" for every message of every operation of {@code service}. */
  private static TreeSet<String> contractOf(String service, AsyncApiDocument doc) {
    TreeSet<String> lines = new TreeSet<>();
    for (Operation op : doc.operationList()) {
      if (!service.equals(op.service())) {
        continue;
      }
      String direction = op.action().equals("send") ? "emits" : "consumes";
      for (String message : AsyncApiOperationsTest.messageKeys(op)) {
        lines.add(direction + " " + doc.address(op.channelKey()) + " " + message);
      }
    }
    return lines;
  }

  /** The cells of the data rows of the first table in the README's canvas section. */
  private static List<List<String>> canvasRows(String readme) {
    List<List<String>> rows = new ArrayList<>();
    boolean inCanvas = false;
    boolean inTable = false;
    for (String line : readme.split("\n", -1)) {
      if (line.startsWith("## ")) {
        if (inCanvas) {
          break;
        }
        inCanvas = line.startsWith("## Canvas");
        continue;
      }
      if (!inCanvas) {
        continue;
      }
      if (!line.startsWith("|")) {
        if (inTable) {
          break;
        }
        continue;
      }
      boolean header = !inTable;
      inTable = true;
      if (header || line.matches("\\|[-:| ]+\\|?\\s*")) {
        continue;
      }
      List<String> cells = new ArrayList<>(List.of(line.split("\\|", -1)));
      cells.remove(0);
      if (!cells.isEmpty() && cells.get(cells.size() - 1).isBlank()) {
        cells.remove(cells.size() - 1);
      }
      rows.add(cells);
    }
    return rows;
  }

  private static List<String> backticked(String text) {
    List<String> tokens = new ArrayList<>();
    Matcher m = BACKTICKED.matcher(text);
    while (m.find()) {
      tokens.add(m.group(1).trim());
    }
    return tokens;
  }

  private static String withoutParentheses(String text) {
    String previous;
    String current = text;
    do {
      previous = current;
      current = PARENTHESES.matcher(previous).replaceAll("");
    } while (!current.equals(previous));
    return current;
  }

  /** The repository root: the parent of this module's folder (Maven's {@code basedir}). */
  private static Path repositoryRoot() {
    Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    Path root = module.getParent();
    assertThat(root.resolve("pom.xml")).as("root pom above %s", module).isRegularFile();
    return root;
  }
}
