import PluginHosts

extension ConsoleState {
    /// What the loaded directory's interpreters said on their own since last asked — Node's
    /// inspector after `kill -USR1` on the host ("Debugger listening on ws://…", "Debugger
    /// attached.") — each line naming the host and its process, for the console to show as the
    /// host's message rather than as the output of whichever plugin runs next.
    public func runtimeMessages() -> [String] {
        guard let directory else { return [] }
        let hosts: [InterpreterHost] = [directory.pythonHost, directory.nodeHost].compactMap { $0 }
        return hosts.flatMap { host in
            host.takeRuntimeMessages().map { "\(host.launcher.name)\(host.pid.map { " (pid \($0))" } ?? ""): \($0)" }
        }
    }
}
