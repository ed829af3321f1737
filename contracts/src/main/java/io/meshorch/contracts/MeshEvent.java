package io.meshorch.contracts;

/**
 * The payload of an event on the mesh bus. Every implementation is an immutable record whose
 * logical wire type is listed in {@link EventType}; the sealed hierarchy makes a payload without a
 * registered type a compile error.
 */
public sealed interface MeshEvent
    permits MeshRequested,
        MeshRejected,
        ProgressReported,
        StepStarted,
        VmsReady,
        ClusterUp,
        CiliumReady,
        LbIpAssigned,
        PortsUpdated,
        ClusterFailed,
        MeshReady,
        MeshFailed,
        MeshDeleteRequested,
        ClusterDeleted,
        MeshDeleted {}
