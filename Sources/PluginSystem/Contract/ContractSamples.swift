/// Inputs to exercise a plugin's hooks with: from the kind's hookspec (`examples:` of a hook), from
/// the manifest (`[plugin.metadata.samples]`, hook name → list of inputs), or given by the caller.
/// An input object is passed as named arguments, a list as positional ones, anything else as the
/// single argument — except for chain hooks, whose input is the value threaded through the chain.
public struct ContractSample: Sendable {
    public var hook: String
    public var input: JSONValue
    /// Where the sample came from, for messages.
    public var source: String

    public init(hook: String, input: JSONValue, source: String) {
        self.hook = hook
        self.input = input
        self.source = source
    }

    public func arguments(dispatch: DispatchClass?) -> HookArguments {
        if dispatch == .chain { return HookArguments([input]) }
        switch input {
        case .object(let o): return HookArguments(named: o)
        case .array(let a): return HookArguments(a)
        default: return HookArguments([input])
        }
    }

    /// Samples for `manifest`'s plugin: the caller's first, then the manifest's, then the hookspec's.
    public static func collect(for manifest: PluginManifest, kinds: KindRegistry, extra: [ContractSample]) -> [ContractSample] {
        var samples = extra
        if case .object(let table)? = manifest.metadata["samples"] {
            for (hook, inputs) in table {
                for input in inputs.arrayValue ?? [inputs] {
                    samples.append(ContractSample(hook: hook, input: input, source: "[plugin.metadata.samples] in \(manifest.source)"))
                }
            }
        }
        if let spec = kinds.spec(for: manifest.kind) {
            for hook in spec.hooks.values {
                for example in hook.examples {
                    samples.append(ContractSample(hook: hook.name, input: example, source: "examples of \(manifest.kind).\(hook.name) in \(spec.source)"))
                }
            }
        }
        return samples
    }
}
