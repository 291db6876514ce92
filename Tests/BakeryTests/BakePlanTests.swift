@testable import Bakery
import Foundation
import TestSupport
import Testing

/// The typed bake plan and tag listings, built in-process from reference projects and compared
/// byte for byte with posit-bakery's recorded outputs (Tests/Fixtures/reference).
@Suite("Typed bake plan")
struct BakePlanTests {
    static let reference = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/reference")

    /// The project's targets in output order, and the facts the reference's normalised labels show.
    static func targets(_ project: String) throws -> (targets: [ImageTarget], facts: [String: ProjectFacts]) {
        let text = try String(contentsOf: ExampleProjects.referenceConfig(project), encoding: .utf8)
        let config = try Fixtures.load(yaml: text).config
        let targets = try TargetSelector(filter: TargetFilter()).select([TargetProject(config: config, context: ".")])
        // The goldens replace the revision and creation time by tokens; giving the tokens makes the bytes comparable.
        return (targets.sortedForOutput(), [".": ProjectFacts(repository: config.repository, revision: "<REVISION>")])
    }

    static func golden(_ project: String, _ slug: String) throws -> String {
        try String(contentsOf: reference.appendingPathComponent("\(project)/\(slug).json"), encoding: .utf8)
    }

    static func options(cacheRegistry: String? = nil, tempRegistry: String? = nil, push: Bool = false) -> PlanOptions {
        var options = PlanOptions()
        options.cacheRegistry = cacheRegistry
        options.tempRegistry = tempRegistry
        options.push = push
        options.environment = [:]
        return options
    }

    @Test func theVariantsPlanIsTypedAndEncodesToTheGoldenBytes() throws {
        let (targets, facts) = try Self.targets("03-image-variants")
        let plan = try BakePlan.make(targets, facts: facts, options: Self.options(), tagger: Tagger(), created: "<CREATED>")

        #expect(Array(plan.groups.keys) == ["default", "example-image", "Minimal", "Standard"])
        #expect(plan.groups["default"]?.targets == ["example-image-1-0-0-minimal", "example-image-1-0-0-standard"])
        #expect(plan.groups["Minimal"]?.targets == ["example-image-1-0-0-minimal"])
        #expect(Array(plan.targets.keys) == ["example-image-1-0-0-minimal", "example-image-1-0-0-standard"])
        let standard = try #require(plan.targets["example-image-1-0-0-standard"])
        #expect(standard.context == ".")
        #expect(standard.dockerfile == "example-image/1.0.0/Containerfile.std")
        #expect(standard.platforms == ["linux/amd64"])
        #expect(standard.labels["org.opencontainers.image.version"] == "1.0.0")
        #expect(standard.labels["co.posit.image.variant"] == "Standard")
        #expect(standard.labels["org.opencontainers.image.revision"] == "<REVISION>")
        #expect(standard.labels.keys.first == "org.opencontainers.image.created")
        #expect(!standard.tags.isEmpty && standard.tags.allSatisfy { $0.contains("/example-image:") })
        #expect(standard.args.isEmpty && standard.cacheFrom.isEmpty && standard.cacheTo.isEmpty && standard.secrets.isEmpty)

        #expect(try plan.json().text(.plan) + "\n" == Self.golden("03-image-variants", "build-plan"))
        #expect(plan.counts() == BakePlan.Counts(targets: 2, platformBuilds: 2, tags: standard.tags.count
                                                   + (plan.targets["example-image-1-0-0-minimal"]?.tags.count ?? 0)))
    }

    @Test("Connect's plan, with and without registries, is the golden byte for byte",
          arguments: [("build-plan", nil, nil), ("build-plan.cache-registry", "ghcr.io/example/cache", nil),
                      ("build-plan.temp-registry", nil, "ghcr.io/example/tmp")] as [(String, String?, String?)])
    func connectPlans(_ slug: String, _ cacheRegistry: String?, _ tempRegistry: String?) throws {
        let golden = try Self.golden("connect", slug)
        // The golden records the arguments it was made with; check this case still names them.
        if let cacheRegistry { #expect(golden.contains(cacheRegistry)) }
        if let tempRegistry { #expect(golden.contains(tempRegistry)) }
        let (targets, facts) = try Self.targets("connect")
        let plan = try BakePlan.make(targets, facts: facts, options: Self.options(cacheRegistry: cacheRegistry, tempRegistry: tempRegistry),
                                     tagger: Tagger(), created: "<CREATED>")
        #expect(try plan.json().text(.plan) + "\n" == golden)
        for target in plan.targets.values {
            #expect(target.cacheFrom.count == (cacheRegistry == nil ? 0 : 1))
            #expect(target.cacheTo.isEmpty)
            if let tempRegistry { #expect(target.tags.count == 1 && target.tags[0].hasPrefix(tempRegistry)) }
        }
    }

    @Test func pushWithACacheRegistryWritesCacheToAndSecretsFollowTheEnvironment() throws {
        let (targets, facts) = try Self.targets("03-image-variants")
        var options = Self.options(cacheRegistry: "ghcr.io/example/cache", push: true)
        options.environment = ["TOKEN": "x"]
        var withSecret = targets
        for i in withSecret.indices {
            withSecret[i].image.buildSecrets = [BuildSecret(id: "token", envVar: "TOKEN"), BuildSecret(id: "unset", envVar: "UNSET")]
        }
        let plan = try BakePlan.make(withSecret, facts: facts, options: options, tagger: Tagger(), created: "<CREATED>")
        let target = try #require(plan.targets.values.first)
        #expect(target.cacheTo == [.registryExport(ref: target.cacheFrom[0].ref)])
        #expect(target.secrets == [.environment(id: "token", variable: "TOKEN")])
        let json = try plan.json()
        guard case .object(let fields)? = json["target"]?[plan.targets.keys[0]] else {
            Issue.record("no target object")
            return
        }
        #expect(Array(fields.keys) == ["context", "dockerfile", "labels", "tags", "args", "platforms", "cache-from", "cache-to", "secret"])
        #expect(fields["cache-to"] == .array([.object([("type", .string("registry")), ("ref", .string(target.cacheFrom[0].ref)),
                                                        ("mode", .string("max")), ("compression", .string("zstd")),
                                                        ("oci-mediatypes", .string("true"))])]))
        #expect(fields["secret"] == .array([.object([("type", .string("env")), ("id", .string("token")), ("env", .string("TOKEN"))])]))
    }

    @Test func aMissingProjectFactIsABakeryErrorNotATrap() throws {
        let (targets, _) = try Self.targets("03-image-variants")
        do {
            _ = try BakePlan.make(targets, facts: ["elsewhere": ProjectFacts(repository: Repository(url: .placeholder), revision: nil)],
                                  options: Self.options(), tagger: Tagger(), created: "<CREATED>")
            Issue.record("a plan was made without the project's facts")
        } catch let error as BakeryError {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("'.'") && error.message.contains(targets[0].uid))
        }
    }

    @Test func tagListingsAreTheGoldenBytes() throws {
        let (targets, _) = try Self.targets("connect")
        let byUID = try TagsByUID.make(targets, tagger: Tagger())
        #expect(try JSONValueEncoder().encode(byUID).text(.pretty) + "\n" == Self.golden("connect", "get-tags.output-uid"))
        let tree = try TagTree.byComponent(targets, tagger: Tagger())
        #expect(try JSONValueEncoder().encode(tree).text(.pretty) + "\n" == Self.golden("connect", "get-tags.output-component"))
        let first = try #require(targets.first)
        var path = [first.image.name, first.version.name]
        if let v = first.variant { path.append(v.name) }
        if let os = first.os { path.append(os.name) }
        let leaf = path.reduce(Optional(tree)) { $0?[$1] }
        #expect(leaf == .tags(try Tagger().tags(for: first)))
        #expect(try JSONValueEncoder().encode(TagTree.byComponent([], tagger: Tagger())).text(.pretty) == "{}")
    }
}

@Suite("Ordered JSON")
struct OrderedJSONTests {
    /// Deep nesting is refused, not parsed into a stack overflow (a 1 MB `--dev-spec` of brackets crashed bakery).
    @Test func nestingPastTheLimitIsRefusedWithoutRecursingIntoIt() {
        let limit = JSONValue.maximumDepth
        #expect(JSONValue.parse(String(repeating: "[", count: limit) + String(repeating: "]", count: limit)) != nil)
        #expect(JSONValue.parse(String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)) == nil)
        #expect(JSONValue.parse(String(repeating: #"{"a":"#, count: 500_000)) == nil)
        #expect(JSONValue.parse(String(repeating: "[", count: 1_000_000)) == nil)
    }

    @Test func aRepeatedKeyKeepsItsFirstPlaceAndLastValueAsPythonsDict() throws {
        let parsed = try #require(JSONValue.parse(#"{"a": 1, "b": 2, "a": 3}"#))
        #expect(parsed == .object(["a": .int(3), "b": .int(2)]))
        #expect(parsed.text(.compact) == #"{"a": 3, "b": 2}"#)
        #expect(JSONValue.object([("x", .int(1)), ("y", .int(2)), ("x", .null)]).text(.compact) == #"{"x": null, "y": 2}"#)
        // Order matters for equality: the outputs are compared byte for byte.
        #expect(JSONValue.object([("x", .int(1)), ("y", .int(2))]) != JSONValue.object([("y", .int(2)), ("x", .int(1))]))
    }

    struct Sample: Encodable {
        var zeta = "z"
        var alpha: Int? = nil
        var middle = [1.5, 2]
        var flag = true
        var nested = Inner()
        struct Inner: Encodable {
            var b = "b"
            var a: String? = "a"
        }
    }

    @Test func theEncoderKeepsDeclarationOrderAndLeavesOutNil() throws {
        let json = try JSONValueEncoder().encode(Sample())
        #expect(json.text(.compact) == #"{"zeta": "z", "middle": [1.5, 2.0], "flag": true, "nested": {"b": "b", "a": "a"}}"#)
        var withAlpha = Sample()
        withAlpha.alpha = 7
        withAlpha.nested.a = nil
        #expect(try JSONValueEncoder().encode(withAlpha).text(.compact) == #"{"zeta": "z", "alpha": 7, "middle": [1.5, 2.0], "flag": true, "nested": {"b": "b"}}"#)
        // A JSONValue encodes as itself, through this encoder or any other.
        let value = JSONValue.object([("k", .array([.null, .string("é")]))])
        #expect(try JSONValueEncoder().encode(value) == value)
        let foundation = try JSONEncoder().encode(value)
        #expect(JSONValue.parse(String(decoding: foundation, as: UTF8.self)) == value)
    }
}

/// The hand-written matchers that replaced regular expressions, checked against those expressions
/// on seeded random strings drawn from the characters that matter.
@Suite("Hand-written matchers")
struct MatcherTests {
    static func strings(_ alphabet: [String], count: Int, maxLength: Int, seed: UInt64) -> [String] {
        var rng = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            let n = Int.random(in: 0...maxLength, using: &rng)
            return (0..<n).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }.joined()
        }
    }

    @Test func repositoryComponentsMatchAsTheOCIExpression() throws {
        let regex = try Regex(#"[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*"#)
        let fixed = ["a", "a.b", "a_b", "a__b", "a___b", "a---b", "a-_b", "a._b", ".a", "a.", "", "A", "é", "a..b", "0-0", "a/b"]
        for s in fixed + Self.strings(["a", "z", "0", "9", ".", "_", "-", "A", "/", "é"], count: 4000, maxLength: 8, seed: 12) {
            let expected = s.wholeMatch(of: regex) != nil
            #expect(Image.isValidRepositoryComponent(Array(s.utf8)) == expected, "\(s)")
            let name = "\(s)/\(s)"
            #expect(Image.isValidRepositoryName(name) == name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { $0.wholeMatch(of: regex) != nil }, "\(name)")
        }
    }

    @Test func tagPatternsMatchAsTheExpression() throws {
        let regex = try Regex(#"([a-z0-9\-_.]|\{\{.+?\}\})+"#)
        let fixed = ["{{ Version }}", "{{}}", "{{}}}", "{{ a }}b}}", "{{a}}-{{b}}", "{{a\n}}", "{{\r\n}}", "x{{", "}}", "{{ a }}X", "Latest", "1.0", ""]
        for s in fixed + Self.strings(["{", "}", "a", "-", " ", "\n", "X", "é", "{{", "}}"], count: 4000, maxLength: 10, seed: 34) {
            #expect(TagPattern.isValidPattern(s) == (s.wholeMatch(of: regex) != nil), "\(s.debugDescription)")
        }
    }

    @Test func dottedNumbersMatchAsTheExpression() throws {
        let regex = try NSRegularExpression(pattern: #"\d+(\.\d+)+"#)
        func expected(_ s: String) -> [Double] {
            let ns = s as NSString
            return regex.matches(in: s, range: NSRange(location: 0, length: ns.length)).flatMap {
                ns.substring(with: $0.range).split(separator: ".").compactMap { Double($0) }
            }
        }
        let fixed = ["py3.12.1-r4.5", "1.2..3", "1.2.a3.4", "v10", "1.", ".1", "١.٢", "1.٢.3", "3.12.1"]
        for s in fixed + Self.strings(["1", "0", "9", ".", "-", "a", "٣", "."], count: 4000, maxLength: 10, seed: 56) {
            #expect(MatrixExpansion.numericRuns(s) == expected(s), "\(s)")
        }
    }
}
