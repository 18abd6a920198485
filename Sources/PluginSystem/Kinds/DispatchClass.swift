/// The closed set of dispatch classes (ADR-0002).
public enum DispatchClass: String, Sendable, CaseIterable, Codable {
    case singleton
    case broadcastCollect = "broadcast_collect"
    case broadcastNotify = "broadcast_notify"
    case chain
    case capability
}
