import PluginHosts
import PluginSystem

/// `resources`: every resource plugins can be given, and where its value came from.
enum ResourcesCommand {
    static let usage = "resources"

    static let spec = CommandSpec(
        name: "resources", usage: usage, summary: "list resources and their values",
        help: """
            Lists the resources plugins can be given: the standard clock, rng, http_client (requests go
            through the console and show in traces) and blob_store (a folder: --blob-store DIR, else a
            fresh temporary folder per load, shown here), and custom values from
            the directory's resources.json, from --resource on the command line, or set in this session
            with `resource set`. Shows which plugins declare each one.
            """,
        maxWords: 0,
        run: { _, console throws(ConsoleError) in
            let registry = try await console.requireRegistry()
            let sessionValues = await console.sessionResources
            let commandLine = console.options.resources
            return Output(rows: registry.resources.all.map { name, resource in
                let origin = sessionValues[name] != nil ? "session" : commandLine[name] != nil ? "--resource"
                    : PluginDirectory.standardResources.contains(name) ? "standard" : PluginDirectory.resourcesFile
                let users = registry.records.filter {
                    $0.manifest.resources.required.contains(name) || $0.manifest.resources.optional.contains(name)
                }.map(\.name)
                return Output.Row(name: name, resource: resource, origin: origin, declaredBy: users)
            })
        })

    struct Output: CommandOutput {
        struct Row {
            var name: String
            var resource: Resource
            var origin: String
            var declaredBy: [String]
        }

        var rows: [Row]

        var json: JSONObject {
            ["resources": .array(rows.map { row in
                ["name": .string(row.name), "descriptor": row.resource.descriptor, "origin": .string(row.origin),
                 "declared_by": .array(row.declaredBy.map(JSONValue.string))]
            })]
        }

        func text(_ style: TextStyle) -> String {
            rows.map { row in
                let value: String = switch row.resource {
                case .clock(let c): "clock " + (c.descriptor["type"]?.stringValue ?? "")
                case .rng(let r): "rng " + (r.descriptor["type"]?.stringValue ?? "")
                case .httpClient(let h): "http_client " + (h.descriptor["type"]?.stringValue ?? "")
                case .blobStore(let b): "blob_store " + (b.descriptor["path"]?.stringValue ?? b.descriptor["type"]?.stringValue ?? "")
                case .value(let v): ValueText.short(v)
                }
                let users = row.declaredBy.isEmpty ? "" : style.dim("  declared by " + row.declaredBy.joined(separator: ", "))
                return pad(style.bold(row.name), 20) + pad(value, 40) + style.dim(row.origin) + users
            }.joined(separator: "\n")
        }
    }
}

/// `resource set NAME JSON`: change a custom resource; plugins are set up again with it.
enum ResourceCommand {
    static let usage = "resource set NAME JSON"

    static let spec = CommandSpec(
        name: "resource", usage: usage, summary: "change a custom resource value (plugins are set up again)",
        help: """
            Sets the custom resource NAME to JSON for this session. Plugins read resources in set-up, so the
            directory is loaded again (your disable/enable and priority changes are kept) and every plugin
            is set up with the new value.
            """,
        arguments: [.words(["set"])],
        run: { args, console throws(ConsoleError) in
            _ = try await console.requireRegistry()
            let (verb, rest) = try args.split()
            guard verb == "set" else { throw args.usageError(usage, verb.isEmpty ? "missing `set`" : "unknown subcommand '\(verb)'") }
            let (name, valueText) = try rest.split()
            guard !name.isEmpty else { throw args.usageError(usage, "missing NAME") }
            guard !PluginDirectory.standardResources.contains(name) else {
                throw ConsoleError("'\(name)' is a standard resource; only custom resources hold JSON values (start the console with --resource \(name)=@descriptor.json to replace it)")
            }
            let value = try valueText.json(usage: usage)!
            await console.setResource(name, value)
            var output = try await console.reloadDirectory()
            output.headline = "resource '\(name)' set; plugins set up again"
            return output
        })
}
