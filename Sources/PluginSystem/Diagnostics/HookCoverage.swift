/// Load-time warnings about plugins that would silently take part in nothing: a plugin whose kind
/// declares hooks (a hookspec) but which implements none of them never appears in `order` or a
/// trace — usually a typo in a method name, which the warning names.
///
/// Likewise a plugin whose kind no hookspec declares while a kind that has one is a letter or two
/// away: a typo in the manifest's `kind` makes a kind of its own, and the plugin takes part in none
/// of the dispatches its author meant.
public enum HookCoverage {
    public static func warnings(_ registry: PluginRegistry) -> [String] {
        unknownKinds(registry) + unimplementedHooks(registry)
    }

    static func unknownKinds(_ registry: PluginRegistry) -> [String] {
        let declared = registry.kinds.all
        return registry.records.compactMap { record in
            guard registry.kinds.spec(for: record.kind) == nil,
                let near = Levenshtein.nearest(record.kind, in: declared.map(\.kind), limit: 1).first,
                let spec = declared.first(where: { $0.kind == near })
            else { return nil }
            return "Plugin '\(record.name)' has kind '\(record.kind)', which no hookspec declares: did you mean kind '\(near)' (\(spec.source))?"
        }
    }

    static func unimplementedHooks(_ registry: PluginRegistry) -> [String] {
        registry.records.compactMap { record in
            guard !record.manifest.isMiddleware, let spec = registry.kinds.spec(for: record.kind),
                let methods = record.instance?.hookNames
            else { return nil }
            let declared = Array(spec.hooks.keys)
            guard !declared.isEmpty, !declared.contains(where: methods.contains) else { return nil }
            var warning = "Plugin '\(record.name)' (kind '\(record.kind)') implements none of the hooks \(spec.source) declares (\(declared.joined(separator: ", "))): no dispatch of '\(record.kind)' will call it"
            let nearMisses = methods.compactMap { method in Levenshtein.nearest(method, in: declared, limit: 1).first.map { (method, $0) } }
            if let (method, hook) = nearMisses.first {
                warning += "; its method '\(method)' looks like '\(hook)'"
            } else if !methods.isEmpty {
                warning += "; its methods: \(methods.joined(separator: ", "))"
            }
            return warning
        }
    }
}
