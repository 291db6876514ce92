// goss probes run inside a test container.
import Goss

/// Runs goss's probe scripts in a running container: `<engine> exec <id> sh -c <script> sh <args…>`, no TTY, no -u.
public struct ContainerProbe: GossProbe {
    public let container: TestContainer

    public init(container: TestContainer) { self.container = container }

    public func shell(_ script: String, arguments: [String], timeout: Duration) async throws -> GossProbeOutput {
        let probe = ShellProbe(prefix: [container.engine.rawValue, "exec", container.id], runner: container.runner, secrets: container.secrets)
        return try await probe.shell(script, arguments: arguments, timeout: timeout)
    }
}
