// `bakery create project`: a new bakery.yaml, its repository guessed from the git remote.
import BakeryYAML
import Foundation

extension ProjectChanges {
    /// `bakery create project`: a new bakery.yaml (nothing else).
    public static func createProject(at root: URL, log: TargetLog) throws(BakeryError) -> ProjectTransaction {
        // A directory, a FIFO or a dangling link named bakery.yaml is an error, never something to replace.
        if try ConfigLoader.locate(context: root) != nil {
            throw BakeryError(.duplicate, "Project already exists in '\(root.path)'")
        }
        let url = repositoryURLGuess(root) ?? {
            log.warning("Unable to determine repository name")
            return "<REPLACE ME>"
        }()
        let text = """
        #######################################################################################################################
        # BAKERY REPOSITORY CONFIG
        #
        # This file is used to define global properties for builds inside a repo managed by Posit's Bakery tool.
        #######################################################################################################################

        # Define properties of the local repository. This information will be used when labeling image builds.
        repository:
          url: "\(url)"
          vendor: "Posit Software, PBC"
          maintainer: "Posit Docker Team <docker@posit.co>"
          authors: []

        # Define image registries used by builds in this repository. Images will be tagged appropriately for each registry.
        # Logins for private registries should be managed independently of Bakery.
        registries:
          - host: "docker.io"
            namespace: "posit"

        images: []

        """
        log.info("No project found, creating a new project in '\(root.path)'")
        log.info("Creating new project config file \(root.appendingPathComponent("bakery.yaml").path)")
        var t = ProjectTransaction(root: root)
        t.write("bakery.yaml", Data(text.utf8))
        return t
    }

    /// The first git remote's URL, as `host/org/repo` (the configured URL, before insteadOf rewriting);
    /// nil when that is not a repository URL bakery.yaml accepts (a quote, a backslash or a newline in
    /// it would also break the file it is written into).
    static func repositoryURLGuess(_ root: URL) -> String? {
        let configured = try? Blocking.wait { () async throws(BakeryError) -> String? in await GitRepository.firstRemoteURL(of: root) }
        guard let guess = configured.flatMap({ $0 }).flatMap(GitRepository.webPath(ofRemoteURL:)),
              HTTPURL.parse(guess) != nil, !guess.contains(where: { $0.isNewline }) else { return nil }
        return guess
    }
}
