// What hadolint is told for one Containerfile: the command line's options over bakery.yaml's, and the argv.
import Foundation

extension HadolintOptions {
    /// The options hadolint runs with for one target, as posit-bakery merges them: every field given on the
    /// command line (`cli`, where nil means "not given") wins; the others come from the target's
    /// effective `hadolint` tool option (`config`, the variant's merged over the image's); then
    /// `failureThreshold` defaults to `error` and `ignored` to `defaultIgnored` when still unset
    /// (an explicit empty `ignored` list stays empty).
    ///
    /// `override` is one field: `--error DL3000` on the command line replaces bakery.yaml's whole
    /// `override` map, as in posit-bakery.
    public static func effective(cli: HadolintOptions, config: HadolintOptions?) -> HadolintOptions {
        var o = HadolintOptions()
        o.failureThreshold = cli.failureThreshold ?? config?.failureThreshold ?? "error"
        o.ignored = cli.ignored ?? config?.ignored ?? defaultIgnored
        o.labelSchema = cli.labelSchema ?? config?.labelSchema
        o.noFail = cli.noFail ?? config?.noFail
        o.override = cli.override ?? config?.override
        o.strictLabels = cli.strictLabels ?? config?.strictLabels
        o.disableIgnorePragma = cli.disableIgnorePragma ?? config?.disableIgnorePragma
        o.trustedRegistries = cli.trustedRegistries ?? config?.trustedRegistries
        o.explicitlySet = cli.explicitlySet.union(config?.explicitlySet ?? [])
        return o
    }

    /// The severities of `override`, in hadolint's (and the argv's) order.
    public static let overrideLevels = ["error", "warning", "info", "style"]

    /// hadolint's arguments after the executable, in posit-bakery's order:
    /// `--format json [--verbose] [--failure-threshold T] [--ignore R]... [--require-label name:type]...
    /// [--no-fail] [--error R]... [--warning R]... [--info R]... [--style R]... [--strict-labels]
    /// [--disable-ignore-pragma] [--trusted-registry R]... <containerfile>`.
    public func hadolintArguments(containerfile: String, verbose: Bool) -> [String] {
        var args = ["--format", "json"]
        if verbose { args.append("--verbose") }
        if let failureThreshold { args += ["--failure-threshold", failureThreshold] }
        for rule in ignored ?? [] { args += ["--ignore", rule] }
        for label in labelSchema ?? [] { args += ["--require-label", "\(label.key):\(label.value)"] }
        if noFail == true { args.append("--no-fail") }
        if let override {
            for level in Self.overrideLevels {
                for rule in override[level] ?? [] { args += ["--\(level)", rule] }
            }
        }
        if strictLabels == true { args.append("--strict-labels") }
        if disableIgnorePragma == true { args.append("--disable-ignore-pragma") }
        for registry in trustedRegistries ?? [] { args += ["--trusted-registry", registry] }
        args.append(containerfile)
        return args
    }

    /// `--require-label` as written on the command line: `name:type`, or `name` for `name:text`.
    /// Nil when the name is empty.
    public static func requiredLabel(_ spelling: String) -> KeyValue? {
        guard let colon = spelling.firstIndex(of: ":") else {
            return spelling.isEmpty ? nil : KeyValue(spelling, "text")
        }
        let name = String(spelling[..<colon])
        let type = String(spelling[spelling.index(after: colon)...])
        guard !name.isEmpty else { return nil }
        return KeyValue(name, type.isEmpty ? "text" : type)
    }
}
