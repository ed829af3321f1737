package io.meshorch.dashboard.web;

import io.meshorch.dashboard.view.MeshBoard;
import io.meshorch.dashboard.view.MeshView;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The dashboard's HTTP API: the stream the page listens to and the same views as plain JSON (for
 * scripts). The page itself is static ({@code static/index.html}).
 */
@RestController
public class DashboardController {
  private final MeshBoard board;
  private final MeshStream stream;

  public DashboardController(MeshBoard board, MeshStream stream) {
    this.board = board;
    this.stream = stream;
  }

  /** Server-sent events: {@code snapshot} once, then {@code mesh} for each change. */
  @GetMapping(path = "/api/stream", produces = "text/event-stream")
  public SseEmitter stream() {
    return stream.open();
  }

  /** Every mesh, the most recently requested first. */
  @GetMapping("/api/meshes")
  public List<MeshView> meshes() {
    return board.meshes();
  }

  /** One mesh, or 404. */
  @GetMapping("/api/meshes/{meshId}")
  public ResponseEntity<MeshView> mesh(@PathVariable String meshId) {
    return ResponseEntity.of(board.mesh(meshId));
  }
}
