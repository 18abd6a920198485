import CProcess
import Foundation

/// How a plugin process's tree is held so that nothing it starts outlives the console (see
/// docs/robustness.md, "Orphans").
public enum Containment: String, Sendable {
    /// A PID namespace per plugin process: the kernel kills every process in it when its keeper
    /// dies, whatever they did to detach (double fork, setsid, a process group of their own).
    case namespace
    /// No namespace could be made (no CAP_SYS_ADMIN, user namespaces forbidden): the keeper is a
    /// child subreaper that adopts every orphan of the tree and kills the tree itself.
    case subreaper

    /// `DAGSTACK_CONTAINMENT=subreaper` asks for the fallback even where a namespace could be made
    /// (to test it, or where a plugin must see the machine's real process ids).
    static func namespaceAllowed(_ environment: [String: String]) -> Bool {
        environment["DAGSTACK_CONTAINMENT"] != Containment.subreaper.rawValue
    }
}

extension Containment {
    /// Makes the console a child subreaper: a process of a plugin's tree orphaned where its keeper
    /// could not adopt it (the keeper itself killed outright) comes to the console, not to init.
    public static func adoptOrphans() {
        _ = dagstack_set_child_subreaper()
    }

    /// Kills and reaps every process still descended from the console: on the way out, after every
    /// plugin has been torn down, nothing may be left.
    public static func stopAdopted() {
        let me = getpid()
        for _ in 0..<20 {
            let left = ProcessTree.descendants(of: me)
            if left.isEmpty { return }
            for (pid, _) in left { kill(pid, SIGKILL) }
            var status: Int32 = 0
            while waitpid(-1, &status, WNOHANG) > 0 {}
            usleep(5_000)
        }
    }
}
