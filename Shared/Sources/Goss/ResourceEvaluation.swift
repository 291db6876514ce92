// Turns a resource's actual values into results: required attributes, skips, gating, matcher errors.
import Foundation

/// The results of one resource, built property by property.
struct ResourceEvaluation {
    let resource: GossResource
    var start: Date
    private(set) var results: [GossResult] = []

    init(resource: GossResource, start: Date) {
        self.resource = resource
        self.start = start
    }

    static let streamProperties: Set<String> = ["contents", "contains", "stdout", "stderr", "headers", "body"]

    /// Whether the gossfile gives an expectation for the property (an empty list on a line stream counts as unset).
    func isSet(_ property: GossResourceKind.Property) -> Bool {
        guard let value = resource.expectations[property.key], !value.isNull else { return false }
        if Self.streamProperties.contains(property.key), case .list(let items) = value, items.isEmpty { return false }
        return true
    }

    private func isRequired(_ property: GossResourceKind.Property) -> Bool {
        resource.kind.firstIsRequired && resource.kind.properties.first == property
    }

    mutating func skip(_ property: GossResourceKind.Property) {
        results.append(result(property, outcome: .skip))
    }

    /// Each property checked on its own (command, process, …).
    mutating func ungated(_ values: [(GossResourceKind.Property, Result<GossActual, GossFailure>)]) {
        for (property, actual) in values where isSet(property) || isRequired(property) {
            results.append(check(property, actual))
        }
    }

    /// The first property decides: when it fails, errs, or is false, every later set property is skipped.
    mutating func gated(_ values: [(GossResourceKind.Property, Result<GossActual, GossFailure>)]) {
        guard let (first, firstActual) = values.first else { return }
        var open = true
        if isSet(first) || isRequired(first) {
            let firstResult = check(first, firstActual)
            results.append(firstResult)
            if firstResult.outcome != .success { open = false }
            if case .success(.value(.bool(false))) = firstActual { open = false }
        }
        for (property, actual) in values.dropFirst() where isSet(property) {
            results.append(open ? check(property, actual) : result(property, outcome: .skip))
        }
    }

    private func check(_ property: GossResourceKind.Property, _ actual: Result<GossActual, GossFailure>) -> GossResult {
        guard let expected = resource.expectations[property.key], !expected.isNull else {
            return result(property, outcome: .fail, err: "Syntax Error: Missing required attribute")
        }
        let actualValue: GossActual
        switch actual {
        case .failure(let failure): return result(property, outcome: .fail, err: failure.message)
        case .success(let value): actualValue = value
        }
        let matcher: GossMatcher
        do { matcher = try GossMatcher(expected) } catch {
            return result(property, outcome: .fail, err: "\(error)")
        }
        switch matcher.match(actualValue) {
        case .success(let detail): return result(property, outcome: .success, matcher: detail)
        case .failure(let detail): return result(property, outcome: .fail, matcher: detail)
        case .error(let message, let detail): return result(property, outcome: .fail, err: message, matcher: detail ?? .zero)
        }
    }

    private func result(_ property: GossResourceKind.Property, outcome: GossOutcome, err: String? = nil, matcher: GossMatcherResult = .zero) -> GossResult {
        GossResult(resourceType: resource.kind.typeName, resourceID: resource.id, property: property.reported, title: resource.title,
                   meta: resource.meta, outcome: outcome, err: err, matcherResult: matcher, startTime: start, endTime: Date())
    }
}
